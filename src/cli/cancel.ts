import { setTimeout as sleep } from 'node:timers/promises';
import { JobError } from '../core/errors.js';
import { isActive, JobStore } from '../core/jobs.js';
import { requestCancel } from '../core/lifecycle.js';
import { isBatchWaiting } from '../core/batch/state.js';
import type { Context } from './main.js';
import { jobJson } from './outcome.js';
import { say } from './render.js';

/** How long `cancel` waits for the job to write its partial output and stop. */
const WAIT_MS = 60_000;

/**
 * `evalctl cancel <id>`: asks the job's process to stop (a marker file it polls), then waits
 * until it has kept its answers and written the partial output.
 */
export default async function cancel(context: Context, id: string, flags: { json?: boolean }): Promise<number> {
  const store = JobStore.fromEnv(context.env, context.cwd);
  const current = store.read(id);
  // A --batch-api job waiting on its provider has no process to ask: its batches are cancelled below.
  let { job, waiting } = isBatchWaiting(current) ? { job: current, waiting: false } : requestCancel(store, id);
  if (waiting) {
    say(context.t, `Cancelling job ${job.id}...`);
    const deadline = Date.now() + WAIT_MS;
    while (isActive(job.status) && !isBatchWaiting(job) && Date.now() < deadline) {
      await sleep(200);
      job = store.read(job.id);
    }
    if (isActive(job.status) && !isBatchWaiting(job)) throw new JobError(`Job ${job.id} did not stop within ${WAIT_MS / 1000}s (pid ${job.pid}).`, 'It will stop at its next check; see `evalctl status`.');
  }
  if (isBatchWaiting(job)) job = await (await import('../core/batch/job.js')).cancelBatchJob(store, job.id, context.env);
  if (flags.json) context.t.out.write(jobJson(job));
  else say(context.t, `Job ${job.id} ${job.status}: ${job.progress.processed}/${job.progress.total} ${job.settings.variants.length > 1 ? "answers" : "rows answered"}${job.status === 'cancelled' && job.pid === null && job.started_at ? `; partial output ${job.output}` : ''}.`);
  return 0;
}
