import type { JobSummary } from '../core/view/types.js';
import { fmt, h, mount } from './dom.js';
import type { Source } from './source.js';

/** The jobs page: every job in the store, refreshed while any is running. */
export async function jobsPage(root: HTMLElement, source: Source, signal: AbortSignal): Promise<void> {
  const body = h('div', null, 'Loading jobs…');
  mount(root, h('header', { class: 'top' }, h('h1', null, 'evalctl jobs')), body);
  for (;;) {
    const jobs = await source.jobs();
    if (signal.aborted) return;
    mount(body, jobs.length ? table(jobs) : h('p', { class: 'empty' }, 'No jobs yet. Start one with `evalctl create`.'));
    if (!jobs.some((job) => job.status === 'running' || job.status === 'queued' || job.status === 'committing')) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (signal.aborted) return;
  }
}

function table(jobs: JobSummary[]): HTMLElement {
  return h('table', { class: 'grid', 'data-testid': 'jobs' },
    h('thead', null, h('tr', null, ['job', 'status', 'progress', 'rows', 'failed', 'cost', 'key metric', 'models', 'created'].map((c) => h('th', null, c)))),
    h('tbody', null, jobs.map((job) => h('tr', { 'data-job': job.id },
      h('td', null, h('a', { href: `#/job/${encodeURIComponent(job.id)}` }, job.name ? `${job.name} (${job.id})` : job.id)),
      h('td', null, h('span', { class: `badge ${job.status}` }, job.status)),
      h('td', null, progress(job)),
      h('td', { class: 'num' }, fmt.count(job.rows)),
      h('td', { class: 'num' }, fmt.count(job.failed_rows)),
      h('td', { class: 'num' }, fmt.cost(job.cost_usd)),
      h('td', null, job.key_metric ? `${job.key_metric.name} ${fmt.pct(job.key_metric.value)}` : '–'),
      h('td', null, job.models.join(', ')),
      h('td', null, job.created_at.replace('T', ' ').slice(0, 19))))));
}

function progress(job: JobSummary): HTMLElement {
  const share = job.progress.total ? job.progress.processed / job.progress.total : 0;
  return h('span', { class: 'rate', title: `${job.progress.processed} of ${job.progress.total}` },
    h('span', { class: 'rate-track' }, h('span', { class: 'rate-fill', style: `width:${(share * 100).toFixed(1)}%` })), fmt.pct(share));
}
