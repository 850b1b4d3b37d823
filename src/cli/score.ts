import { resolve } from 'node:path';
import type { Command } from 'commander';
import { JobStore } from '../core/jobs.js';
import { gateMisses, missLine } from '../core/score/gates.js';
import { scoreExisting } from '../core/score/request.js';
import { pairwiseLines } from './judge-flags.js';
import type { Context } from './main.js';
import { settingsFrom } from './options.js';
import { gateExitCode } from './outcome.js';
import { printError, say } from './render.js';
import { scoreLines } from './score-table.js';
import { appendStepSummary, markdownSummary } from './step-summary.js';
import { junitReport, type ScoringFlags, scoringRequest } from './scoring-flags.js';

interface ScoreFlags extends ScoringFlags {
  targetColumn?: string;
  output?: string;
  overwrite?: boolean;
  json?: boolean;
}

/** `evalctl score <job-id | file>`: metrics of an existing output, without calling a model. */
export default async function score(context: Context, subject: string, flags: ScoreFlags, command: Command): Promise<number> {
  const settings = await settingsFrom(command, context.env, context.cwd);
  const scoring = scoringRequest(flags, settings, context.cwd);
  const outcome = await scoreExisting({
    ...scoring, subject, target: flags.targetColumn, output: flags.output, overwrite: flags.overwrite,
    store: JobStore.fromEnv(context.env, context.cwd), cwd: context.cwd,
    report: flags.junit ? junitReport(resolve(context.cwd, flags.junit)) : undefined,
  });
  const { t } = context;
  const several = outcome.targets.length > 1;
  for (const line of [...scoreLines(outcome.metrics), ...pairwiseLines(outcome.metrics)]) say(t, line);
  if (outcome.written) say(t, `  scored copy ${outcome.written}`);
  if (flags.json) t.out.write(`${JSON.stringify(outcome.metrics, null, 2)}\n`);
  const misses = gateMisses(outcome.metrics, outcome.scoring.fail_under);
  for (const miss of misses) printError(t, missLine(miss, several));
  appendStepSummary(context.env, () => markdownSummary({
    title: `evalctl score ${outcome.job ? `job ${outcome.job.id}` : subject}`,
    metrics: outcome.metrics, costUsd: outcome.job?.cost_usd ?? 0, output: outcome.written ?? outcome.input, misses,
  }));
  return gateExitCode(misses);
}
