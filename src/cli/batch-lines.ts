import type { JobRecord } from '../core/jobs.js';

/** The provider batches of a job, a line each, for `status`. */
export function batchLines(job: JobRecord): string[] {
  return (job.batches ?? []).map((b) => {
    const c = b.counts;
    const parts = [`${c.succeeded} succeeded`, c.errored ? `${c.errored} errored` : '', c.expired ? `${c.expired} expired` : '', c.canceled ? `${c.canceled} cancelled` : '', c.processing ? `${c.processing} processing` : ''].filter(Boolean);
    return `batch      ${b.id} (${b.provider}${b.phase ? `, ${b.phase}` : ''}): ${b.status}, ${b.requests} requests: ${parts.join(', ')}${b.collected ? ', collected' : ''}`;
  });
}
