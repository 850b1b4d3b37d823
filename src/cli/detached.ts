import { runJob } from '../core/execute.js';
import { JobStore } from '../core/jobs.js';
import type { Context } from './main.js';
import { exitCodeFor } from './outcome.js';
import { paint, printSummary, say, showProgress } from './render.js';

/** `evalctl __run <id>`: the background process of `create --detach`; writes to the job's run.log. */
export default async function detached(context: Context, id: string): Promise<number> {
  const store = JobStore.fromEnv(context.env, context.cwd);
  if (store.read(id).settings.batch) return (await import('./batch.js')).submitDetached(context, store, id);
  const started = performance.now();
  let stop: Promise<() => void> | undefined;
  context.cancellable(true);
  const job = await runJob(store, id, {
    env: context.env,
    signal: context.signal,
    onWarning: (message) => say(context.t, paint(context.t, 'yellow', `warning: ${message}`)),
    onStart: (job, progress) => {
      say(context.t, `job ${job.id} started (pid ${process.pid})`);
      stop = showProgress(context.t, progress, job.cost_usd !== null);
    },
    onCommit: () => { void stop?.then((s) => s()); },
  });
  await stop?.then((s) => s());
  printSummary(context.t, job, (performance.now() - started) / 1000);
  return exitCodeFor(job);
}
