import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../core/dataset.js';
import { runJob } from '../core/execute.js';
import type { JobStore } from '../core/jobs.js';
import { emitFile, outputFileFor, STDOUT } from '../core/source/emit.js';
import type { Context } from './main.js';
import { exitCodeFor, jobJson } from './outcome.js';
import { judgeSummaryLines } from './judge-flags.js';
import { reportScores } from './score-report.js';
import { formatCount } from './format.js';
import { modelsOf, paint, printSummary, say, showProgress } from './render.js';

/**
 * Runs a stored job in this process with a progress display; the first Ctrl-C or SIGTERM
 * cancels gracefully (answers kept, partial output written). Prints the bill; returns the exit code.
 */
export async function runInForeground(context: Context, store: JobStore, id: string, options: { json?: boolean; dataset?: Dataset; junit?: string }): Promise<number> {
  if (store.read(id).settings.batch) return (await import('./batch.js')).runBatchInForeground(context, store, id, options);
  const { t } = context;
  const started = performance.now();
  let stopProgress: Promise<() => void> | undefined;
  // The bar is cleared first: a notice written over a live bar would be redrawn over at once.
  const onAbort = () => {
    const stopping = stopProgress;
    stopProgress = undefined;
    void (stopping ?? Promise.resolve(() => {})).then((stop) => {
      stop();
      say(t, paint(t, 'yellow', 'Cancelling: keeping every answer received and writing the partial output (Ctrl-C again to exit now)...'));
    });
  };
  context.signal.addEventListener('abort', onAbort, { once: true });
  context.cancellable(true);
  try {
    const job = await runJob(store, id, {
      env: context.env,
      dataset: options.dataset,
      signal: context.signal,
    onWarning: (message) => say(context.t, paint(context.t, 'yellow', `warning: ${message}`)),
      onStart: (job, progress) => {
        say(t, `${paint(t, 'bold', `Job ${job.id}`)}: ${formatCount(job.rows)} rows with ${modelsOf(job)}${job.variants.length > 1 ? ` (${job.variants.length} variants)` : ''}${progress.processed > progress.failed ? ` (${formatCount(progress.processed - progress.failed)} already answered)` : ''}`);
        stopProgress = showProgress(t, progress, job.cost_usd !== null);
      },
      onCommit: () => { void stopProgress?.then((stop) => stop()); stopProgress = undefined; },
    });
    if (job.output === STDOUT && job.status !== 'errored') {
      const written = outputFileFor(job.output, job.settings.output_format, store.paths(job.id).dir);
      if (await emitFile(written, t.out) === 'closed') say(t, `stdout was closed before the whole table was read; it is kept in ${written}.`);
    }
    const wall = (performance.now() - started) / 1000;
    printSummary(t, job, wall);
    for (const line of judgeSummaryLines(job)) say(t, `  ${line}`);
    if (job.metrics) await reportScores(context, job, options.junit);
    if (options.json) t.out.write(jobJson(job, wall));
    return exitCodeFor(job);
  } finally {
    context.cancellable(false);
    context.signal.removeEventListener('abort', onAbort);
    await stopProgress?.then((stop) => stop());
  }
}

/** Starts `evalctl __run <id>` detached from this process, its output going to the job's run.log. */
export function runDetached(store: JobStore, id: string, env: NodeJS.ProcessEnv): number {
  const log = openSync(store.paths(id).log, 'a');
  const bin = fileURLToPath(new URL('../bin/evalctl.js', import.meta.url));
  const child = spawn(process.execPath, [bin, '__run', id], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...env, EVALCTL_HOME: store.home, EVALCTL_CACHE_DIR: store.cacheDir },
  });
  child.unref();
  closeSync(log);
  return child.pid ?? 0;
}
