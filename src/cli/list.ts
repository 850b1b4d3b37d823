import { JobStore } from '../core/jobs.js';
import type { Context } from './main.js';
import { formatCost, formatCount, jobStatusText } from './format.js';
import { fitWidth, modelsOf, onStdout, paint, say } from './render.js';

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
  const o = onStdout(t);
  const width = Math.max(10, ...jobs.map((job) => jobStatusText(job).text.length));
  for (const job of jobs) {
    const progress = `${formatCount(job.progress.processed)}/${formatCount(job.progress.total)}`;
    const what = job.name ?? job.source.path.split(/[\\/]/).pop();
    const status = jobStatusText(job);
    const line = `${paint(o, 'bold', job.id)}  ${paint(o, status.style, status.text.padEnd(width))} ${progress.padStart(15)}  ${formatCost(job.cost_usd).padStart(10)}  ${modelsOf(job).padEnd(18)} ${job.created_at.slice(0, 19).replace('T', ' ')}  ${what}`;
    t.out.write(`${fitWidth(t.out, line)}\n`);
  }
  return 0;
}
