import { resolve } from 'node:path';
import type { JobRecord } from '../core/jobs.js';
import { missLine } from '../core/score/gates.js';
import { reportJobOutput } from '../core/score/job.js';
import type { Context } from './main.js';
import { jobGateMisses } from './outcome.js';
import { printError, say } from './render.js';
import { scoreLines } from './score-table.js';
import { junitReport } from './scoring-flags.js';
import { appendStepSummary, markdownSummary } from './step-summary.js';

/** After a scored run: the metrics tables and missed gates on stderr, the GitHub step summary, the JUnit file. */
export async function reportScores(context: Context, job: JobRecord, junit: string | undefined): Promise<void> {
  const { t } = context;
  for (const line of scoreLines(job.metrics ?? {})) say(t, `  ${line}`);
  const misses = jobGateMisses(job);
  for (const miss of misses) printError(t, missLine(miss, job.variants.length > 1));
  appendStepSummary(context.env, () => markdownSummary({ title: `evalctl job ${job.id}`, metrics: job.metrics ?? {}, costUsd: job.cost_usd, output: job.output, misses }));
  if (junit !== undefined) await reportJobOutput(job, junitReport(resolve(context.cwd, junit)));
}
