import { exportJob } from '../core/export.js';
import { JobStore } from '../core/jobs.js';
import type { Context } from './main.js';
import { formatCount } from './format.js';
import { say } from './render.js';

/** `evalctl export <id> -o <path>`: write a stopped job's output again from its answers; nothing is sent. */
export default async function exportCommand(context: Context, id: string, flags: { output?: string; overwrite?: boolean }): Promise<number> {
  const store = JobStore.fromEnv(context.env, context.cwd);
  const { job, output, format } = await exportJob(store, { id, output: flags.output, overwrite: flags.overwrite, cwd: context.cwd });
  say(context.t, `Wrote ${formatCount(job.rows)} rows of job ${job.id} (${job.status}) to ${output} (${format}).`);
  return 0;
}
