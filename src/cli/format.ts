import type { JobRecord } from '../core/jobs.js';

/**
 * Numbers as every command prints them: counts with thousands separators (`12,345`), money in
 * dollars (`$0.0123`, `$0.000042` below a cent), durations compact (`4.2s`, `3m05s`, `1h02m`),
 * shares as percentages with one decimal (`87.5%`). One spelling each, in every command.
 */
// Made on first use: building an Intl formatter loads ICU data, ~10 ms that `--help` need not pay.
let integer: Intl.NumberFormat | undefined;

export function formatCount(n: number): string {
  return (integer ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })).format(n);
}

export function formatCost(cost: number | null): string {
  if (cost === null) return 'unknown';
  if (cost === 0) return '$0.00';
  return cost < 0.01 ? `$${cost.toFixed(6)}` : `$${cost.toFixed(4)}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

export type StatusStyle = 'green' | 'yellow' | 'red';

/**
 * A job's status as people read it: `completed with 3 failed` (in the warning colour) rather
 * than a bare `completed` when some rows have no answer; `cancelled (budget)` for a budget stop.
 */
export function jobStatusText(job: Pick<JobRecord, 'status' | 'failed_rows' | 'stop_reason'>): { text: string; style: StatusStyle } {
  if (job.status === 'completed') {
    return job.failed_rows ? { text: `completed with ${formatCount(job.failed_rows)} failed`, style: 'yellow' } : { text: 'completed', style: 'green' };
  }
  const reason = job.stop_reason && job.stop_reason !== 'error' && job.stop_reason !== job.status ? ` (${job.stop_reason})` : '';
  return { text: `${job.status}${reason}`, style: job.status === 'errored' ? 'red' : 'yellow' };
}

/**
 * The command that finishes a stopped job. After a budget stop it names a budget that should
 * cover the rest: the spend so far projected over every pair, plus a fifth for the estimate's
 * error, rounded up to two significant figures, and at least a tenth above the old budget.
 */
export function resumeCommand(job: Pick<JobRecord, 'id' | 'stop_reason' | 'cost_usd' | 'progress' | 'settings'>): string {
  if (job.stop_reason !== 'budget') return `evalctl resume ${job.id}`;
  return `evalctl resume ${job.id} --max-cost ${suggestedBudget(job)}`;
}

export function suggestedBudget(job: Pick<JobRecord, 'cost_usd' | 'progress' | 'settings'>): string {
  const old = job.settings.max_cost ?? 0;
  const { processed, total } = job.progress;
  const spent = job.cost_usd ?? 0;
  const projected = processed > 0 && spent > 0 ? (spent / processed) * total * 1.2 : old * 2;
  const wanted = Math.max(projected, old * 1.1);
  const magnitude = 10 ** (Math.floor(Math.log10(wanted)) - 1);
  const rounded = Math.ceil(wanted / magnitude - 1e-9) * magnitude;
  return rounded >= 1 ? String(Number(rounded.toPrecision(2))) : rounded.toFixed(Math.max(2, -Math.floor(Math.log10(magnitude))));
}
