import { JobStore } from '../core/jobs.js';
import type { Context } from './main.js';
import { formatCost, modelsOf, paint, say } from './render.js';

/** `evalctl list`: recent jobs, one line each, newest first. */
export default async function list(context: Context, flags: { json?: boolean; limit?: number }): Promise<number> {
  const store = JobStore.fromEnv(context.env, context.cwd);
  const survey = store.survey();
  const jobs = survey.jobs.slice(0, flags.limit ?? 20);
  const { t } = context;
  // A damaged job never hides the others; it is named on stderr.
  for (const { reason } of survey.damaged) say(t, paint(t, 'yellow', `warning: ${reason}`));
  if (flags.json) {
    t.out.write(`${JSON.stringify(jobs, null, 2)}\n`);
    return 0;
  }
  if (jobs.length === 0) {
    say(t, `No jobs in ${store.home}.`);
    return 0;
  }
  for (const job of jobs) {
    const progress = `${job.progress.processed}/${job.progress.total}`;
    const what = job.name ?? job.source.path.split(/[\\/]/).pop();
    t.out.write(`${paint(t, 'bold', job.id)}  ${job.status.padEnd(10)} ${progress.padStart(13)}  ${formatCost(job.cost_usd).padStart(10)}  ${modelsOf(job).padEnd(18)} ${job.created_at.slice(0, 19).replace('T', ' ')}  ${what}\n`);
  }
  return 0;
}
