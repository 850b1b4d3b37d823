import type { JobRecord } from '../jobs.js';
import type { JobSummary } from './types.js';

/** A job as the jobs page lists it. */
export function summarize(job: JobRecord): JobSummary {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    progress: job.progress,
    rows: job.rows,
    failed_rows: job.failed_rows,
    cost_usd: job.cost_usd,
    models: job.settings.variants.map((v) => v.model),
    created_at: job.created_at,
    key_metric: keyMetric(job),
  };
}

/** The first variant's accuracy, else its first evaluator's pass rate, else none. */
export function keyMetric(job: Pick<JobRecord, 'metrics'>): JobSummary['key_metric'] {
  const first = Object.values(job.metrics ?? {})[0];
  if (!first) return null;
  if (first.accuracy !== null) return { name: 'accuracy', value: first.accuracy };
  const evaluator = first.evaluators.find((e) => e.pass_rate !== null);
  return evaluator ? { name: `${evaluator.name} pass rate`, value: evaluator.pass_rate! } : null;
}
