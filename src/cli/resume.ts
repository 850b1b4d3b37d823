import type { Command } from 'commander';
import { JobError } from '../core/errors.js';
import { verifySource } from '../core/source/verify.js';
import { JobStore } from '../core/jobs.js';
import type { Context } from './main.js';
import { jobJson } from './outcome.js';
import { runDetached, runInForeground } from './foreground.js';
import { say } from './render.js';

interface ResumeFlags {
  concurrency?: number;
  maxCost?: number;
  detach?: boolean;
  json?: boolean;
}

/** `evalctl resume <id>`: continue a stopped job; rows with an answer are never sent again. */
export default async function resume(context: Context, id: string, flags: ResumeFlags, _command: Command): Promise<number> {
  const store = JobStore.fromEnv(context.env, context.cwd);
  let job = store.read(id);
  if (job.status === 'completed' && job.failed_rows === 0) {
    throw new JobError(`Job ${job.id} is already completed; its output is ${job.output}.`);
  }
  if (job.status === 'running' || job.status === 'committing' || (job.status === 'queued' && job.pid !== null)) {
    throw new JobError(`Job ${job.id} is still ${job.status} (pid ${job.pid}).`, `Follow it with \`evalctl status ${job.id} --watch\`, or stop it with \`evalctl cancel ${job.id}\`.`);
  }
  // Refused before the record is touched: the job stays as it was.
  await verifySource(job.source, job.id, context.env);
  job = {
    ...job,
    status: 'queued',
    settings: {
      ...job.settings,
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      ...(flags.maxCost !== undefined ? { max_cost: flags.maxCost } : {}),
    },
  };
  store.clearCancel(job.id);
  store.launched(job.id, null);
  store.write(job);
  if (flags.detach) {
    store.launched(job.id, runDetached(store, job.id, context.env));
    context.t.out.write(flags.json ? jobJson(store.read(job.id)) : `${job.id}\n`);
    say(context.t, `Resumed job ${job.id} in the background.`);
    return 0;
  }
  return runInForeground(context, store, job.id, { json: flags.json });
}
