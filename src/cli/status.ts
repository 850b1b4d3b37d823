import { setTimeout as sleep } from 'node:timers/promises';
import { isActive, JobStore, type JobRecord } from '../core/jobs.js';
import type { RunProgress } from '../core/run/progress.js';
import type { Context } from './main.js';
import { exitCodeFor, jobJson } from './outcome.js';
import { variantLines } from './variant-table.js';
import { batchLines } from './batch-lines.js';
import { isBatchWaiting } from '../core/batch/state.js';
import { formatCost, formatCount, jobStatusText, resumeCommand } from './format.js';
import { onStdout, paint, progressLine, say, showProgress, type Terminal } from './render.js';

/** `evalctl status [id]`: one job in detail; `--watch` follows it live until it ends. */
export default async function status(context: Context, id: string | undefined, flags: { json?: boolean; watch?: boolean }): Promise<number> {
  const store = JobStore.fromEnv(context.env, context.cwd);
  let job = store.read(id);
  if (isBatchWaiting(job)) job = await (await import('./batch.js')).followBatch(context, store, job, flags.watch ?? false);
  if (flags.watch && isActive(job.status)) job = await watch(context, store, job);
  if (flags.json) context.t.out.write(jobJson(job));
  else describe(context.t, job);
  return flags.watch ? exitCodeFor(job) : 0;
}

async function watch(context: Context, store: JobStore, job: JobRecord): Promise<JobRecord> {
  const progress = progressOf(job);
  const stop = await showProgress(context.t, progress, job.cost_usd !== null);
  try {
    while (isActive(job.status) && !context.signal.aborted) {
      await sleep(300);
      job = store.read(job.id);
      Object.assign(progress, progressOf(job));
    }
  } finally {
    stop();
  }
  return job;
}

export function progressOf(job: JobRecord): RunProgress {
  return {
    processed: job.progress.processed,
    total: job.progress.total,
    failed: job.failed_rows,
    cached: job.cached_rows,
    deduplicated: job.deduplicated_rows ?? 0,
    promptTokens: job.prompt_tokens_used,
    completionTokens: job.completion_tokens_used,
    cost: job.cost_usd ?? 0,
    inFlight: 0,
    concurrency: job.backoff?.concurrency ?? job.settings.concurrency,
    variants: [],
    ...(job.backoff ? { backoff: { reason: job.backoff.reason, until: job.backoff.until } } : {}),
  };
}

/** Rows per second since the job started, from its record. */
function rateOf(job: JobRecord): number {
  if (!job.started_at) return 0;
  const end = job.completed_at ?? job.cancelled_at ?? job.updated_at;
  const seconds = (Date.parse(end) - Date.parse(job.started_at)) / 1000;
  return seconds > 0 ? job.progress.processed / seconds : 0;
}

function describe(terminal: Terminal, job: JobRecord): void {
  const t = onStdout(terminal);
  const status = jobStatusText(job);
  const out = (line: string) => t.out.write(`${line}\n`);
  out(`${paint(t, 'bold', `Job ${job.id}`)}${job.name ? ` (${job.name})` : ''}: ${paint(t, status.style, status.text)}`);
  out(`  source     ${job.source.path}`);
  for (const v of job.settings.variants) out(`  ${job.variants.length > 1 ? `${v.name}: `.padEnd(11) : 'model      '}${v.model}${v.base_url ? ` at ${v.base_url}` : ''}`);
  // A rate and ETA only while the job runs: for a stopped job they would be stale guesses.
  out(`  progress   ${progressLine(progressOf(job), isActive(job.status) ? rateOf(job) : undefined, job.cost_usd !== null)}`);
  out(`  tokens     ${formatCount(job.prompt_tokens_used)} prompt + ${formatCount(job.completion_tokens_used)} completion = ${formatCount(job.tokens_used)}`);
  out(`  cost       ${formatCost(job.cost_usd)}`);
  for (const line of variantLines(job)) out(`  ${line}`);
  for (const line of batchLines(job)) out(`  ${line}`);
  out(`  output     ${job.output}${job.status === 'completed' || job.status === 'cancelled' ? '' : ' (not written yet)'}`);
  out(`  created    ${job.created_at}${job.completed_at ? `, completed ${job.completed_at}` : ''}${job.cancelled_at ? `, cancelled ${job.cancelled_at}` : ''}`);
  if (job.error_message) out(`  ${job.status === 'errored' ? 'error' : 'note'}      ${job.error_message}`);
  if (job.status === 'errored' || job.status === 'cancelled') say(terminal, paint(terminal, 'dim', `Resume with \`${resumeCommand(job)}\`.`));
}
