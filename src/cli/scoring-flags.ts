import type { DuckDBConnection } from '@duckdb/node-api';
import type { Settings } from '../core/config.js';
import { builtInEvaluator } from '../core/score/evaluators.js';
import { writeJunit } from '../core/score/junit.js';
import type { ScoreTarget } from '../core/score/measure.js';
import type { ScoringRequest, ScoringSpec } from '../core/score/scoring.js';

/** The scoring flags `create` and `score` share. */
export interface ScoringFlags {
  groundTruth?: string;
  choices?: string;
  expectDistribution?: string;
  evaluator?: string[];
  failUnder?: string[];
  junit?: string;
}

/** The flags, with the config file's named evaluators (`"evaluators": {"name": "spec"}`). */
export function scoringRequest(flags: ScoringFlags, settings: Settings, cwd: string): ScoringRequest {
  return {
    groundTruth: flags.groundTruth, choices: flags.choices, expectDistribution: flags.expectDistribution,
    evaluators: flags.evaluator, failUnder: flags.failUnder, namedEvaluators: settings.evaluators ?? {}, cwd,
  };
}

/** A `report` hook writing JUnit XML to `path`. */
export function junitReport(path: string) {
  return (connection: DuckDBConnection, relation: string, targets: readonly ScoreTarget[], scoring: ScoringSpec) =>
    writeJunit(connection, relation, targets, scoring, path, new Set(scoring.evaluators.filter((e) => !builtInEvaluator(e)).map((e) => e.name)));
}
