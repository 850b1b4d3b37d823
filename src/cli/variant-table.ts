import type { JobRecord } from '../core/jobs.js';
import { formatCost } from './render.js';
import { formatCount } from './format.js';


/**
 * The variants of a job side by side (answers, failures, cache, tokens, cost, latency), then
 * how often they agreed; one line per variant, for the summary and `status`. Empty for one variant.
 */
export function variantLines(job: JobRecord): string[] {
  if (job.variants.length < 2) return [];
  const header = ['variant', 'model', 'done', 'failed', 'cached', 'tokens', 'cost', 'p50', 'p95'];
  const rows = job.variants.map((v) => [
    v.name,
    v.model,
    formatCount(v.processed - v.failed_rows),
    formatCount(v.failed_rows),
    formatCount(v.cached_rows),
    formatCount(v.tokens_used),
    formatCost(v.cost_usd),
    v.latency_ms ? `${formatCount(v.latency_ms.p50)}ms` : '-',
    v.latency_ms ? `${formatCount(v.latency_ms.p95)}ms` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Text columns to the left, figures to the right.
  const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  const lines = [line(header), ...rows.map(line)];
  const a = job.agreement;
  if (a) {
    lines.push(a.rate === null ? 'agreement: no row has an answer from every variant' : `agreement: ${(a.rate * 100).toFixed(1)}% of ${formatCount(a.rows_compared)} rows answered by every variant`);
    for (const pair of a.pairs ?? []) {
      lines.push(`  ${pair.a} ~ ${pair.b}: ${pair.rate === null ? '-' : `${(pair.rate * 100).toFixed(1)}%`} of ${formatCount(pair.rows_compared)}`);
    }
  }
  return lines;
}
