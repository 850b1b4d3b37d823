import type { OutputColumn } from '../output/columns.js';
import { builtInEvaluator, evaluatorColumn, SQL_SUFFIXES } from './evaluators.js';
import { choiceSql, labelSql } from './labels.js';
import type { ScoringSpec } from './scoring.js';

/** SQL expressions for one prediction column: its answer text and its status (`answered`, `cached`, `failed`, `not_run`). */
export interface PredictionSql {
  prediction: string;
  status: string;
}

/** A row's outcome as scoring counts it: `answered` (answered or cached), `failed`, or `not_run`. */
export function outcomeSql(status: string): string {
  return `CASE WHEN ${status} IN ('answered', 'cached') THEN 'answered' WHEN ${status} = 'failed' THEN 'failed' ELSE 'not_run' END`;
}

/** The status of a prediction column of a file evalctl did not write (no `_status` column): a null answer was not run. */
export function statusFromAnswer(prediction: string): string {
  return `CASE WHEN ${prediction} IS NULL THEN 'not_run' ELSE 'answered' END`;
}

/** The label an answer names (NULL: invalid), with `--choices` mapping free text onto one of them. */
export function predictedLabelSql(prediction: string, choices: readonly string[] | null): string {
  return choices ? choiceSql(prediction, choices) : labelSql(prediction);
}

/**
 * `<target>_correct`: true when the answer's label is the ground truth's, false when it is
 * another label or invalid, NULL when the row has no answer (failed, not run) or no ground truth.
 */
export function correctSql(p: PredictionSql, truth: string, choices: readonly string[] | null): string {
  const expected = labelSql(truth);
  return `CASE WHEN ${outcomeSql(p.status)} = 'answered' AND ${expected} IS NOT NULL THEN coalesce(${predictedLabelSql(p.prediction, choices)} = ${expected}, false) END`;
}

/**
 * The columns scoring adds after a prediction column `prefix`: `<prefix>_correct` with a ground
 * truth, and `<prefix>_<evaluator>_pass` / `_score` per built-in evaluator. `truth` is the SQL of
 * the ground-truth column. Code evaluators' columns are added once their verdicts exist.
 */
export function scoreColumns(scoring: ScoringSpec | null | undefined, prefix: string, p: PredictionSql, truth: (column: string) => string): OutputColumn[] {
  if (!scoring) return [];
  const columns: OutputColumn[] = [];
  const truthSql = scoring.ground_truth === null ? null : truth(scoring.ground_truth);
  if (truthSql !== null) columns.push({ name: `${prefix}_correct`, sql: correctSql(p, truthSql, scoring.choices) });
  for (const def of scoring.evaluators) {
    const evaluator = builtInEvaluator(def);
    if (!evaluator) continue;
    // Only answered rows are judged: a failed row's (null) answer is not judged at all.
    const answer = `CASE WHEN ${outcomeSql(p.status)} = 'answered' THEN ${p.prediction} END`;
    const sql = evaluator.columns(answer, truthSql);
    columns.push({ name: evaluatorColumn(prefix, def.name, SQL_SUFFIXES[0]), sql: sql.pass }, { name: evaluatorColumn(prefix, def.name, SQL_SUFFIXES[1]), sql: sql.score });
  }
  return columns;
}
