import { setTimeout as sleep } from 'node:timers/promises';
import type { Dataset } from '../core/dataset.js';
import { isBatchWaiting, refreshBatchJob, startBatchJob } from '../core/batch/job.js';
import { pollDelays } from '../core/batch/limits.js';
import type { JobRecord, JobStore } from '../core/jobs.js';
import type { Context } from './main.js';
import { exitCodeFor, jobJson } from './outcome.js';
import { modelsOf, paint, printSummary, say } from './render.js';
import { reportScores } from './score-report.js';

/**
 * `create --batch-api` (or `resume`) in the foreground: sends the batches, then waits for the
 * providers with a line of counts per poll, collects the results and prints the bill. Ctrl-C
 * stops waiting (the batches go on; `evalctl status` picks them up).
 */
export async function runBatchInForeground(context: Context, store: JobStore, id: string, options: { json?: boolean; dataset?: Dataset; junit?: string }): Promise<number> {
  const { t } = context;
  const started = performance.now();
  let job = await startBatchJob(store, id, { env: context.env, dataset: options.dataset });
  say(t, `${paint(t, 'bold', `Job ${job.id}`)}: ${job.rows.toLocaleString('en-US')} rows with ${modelsOf(job)} sent as ${job.batches?.length ?? 0} provider batch${job.batches?.length === 1 ? '' : 'es'} (Ctrl-C stops waiting; the batches go on).`);
  job = await followBatch(context, store, job, true);
  if (isBatchWaiting(job)) {
    say(t, `Stopped waiting; the provider keeps working. Collect the results with \`evalctl status ${job.id}\`.`);
    if (options.json) t.out.write(jobJson(job));
    return 0;
  }
  const wall = (performance.now() - started) / 1000;
  printSummary(t, job, wall);
  if (job.metrics) await reportScores(context, job, options.junit);
  if (options.json) t.out.write(jobJson(job, wall));
  return exitCodeFor(job);
}

/** `evalctl __run` of a `--batch-api` job: sends its batches and returns; no process waits on the provider. */
export async function submitDetached(context: Context, store: JobStore, id: string): Promise<number> {
  const job = await startBatchJob(store, id, { env: context.env });
  say(context.t, `job ${job.id} sent as ${job.batches?.length ?? 0} provider batches: ${(job.batches ?? []).map((b) => b.id).join(', ')}`);
  return 0;
}

/**
 * Polls the providers once (when the job waits on them), and with `watch` again with backoff
 * until every batch has ended and the output is written, a line of counts each time.
 */
export async function followBatch(context: Context, store: JobStore, job: JobRecord, watch: boolean): Promise<JobRecord> {
  if (!isBatchWaiting(job)) return job;
  context.cancellable(watch);
  try {
    job = await refreshBatchJob(store, job.id, context.env);
    const delay = pollDelays(context.env);
    while (watch && isBatchWaiting(job) && !context.signal.aborted) {
      say(context.t, paint(context.t, 'dim', `  ${countsLine(job)}`));
      await Promise.race([sleep(delay()), new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }))]);
      if (!context.signal.aborted) job = await refreshBatchJob(store, job.id, context.env);
    }
    return job;
  } finally {
    context.cancellable(false);
  }
}

function countsLine(job: JobRecord): string {
  const batches = job.batches ?? [];
  const sum = (key: 'succeeded' | 'errored' | 'expired' | 'processing') => batches.reduce((total, b) => total + b.counts[key], 0);
  const ended = batches.filter((b) => b.ended).length;
  return `${ended}/${batches.length} batches ended; ${sum('succeeded')} succeeded, ${sum('errored') + sum('expired')} failed, ${sum('processing')} processing`;
}
