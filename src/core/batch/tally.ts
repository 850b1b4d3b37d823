import type { AnswerState } from '../answers.js';
import type { JobRecord, VariantStats } from '../jobs.js';
import { batchPrice, creditsOf, priceFor } from '../pricing.js';

/**
 * The record's counters from what the answer log holds: outcomes per (row, variant), tokens and
 * cost (at the batch price each answer was logged with) per variant and in total.
 */
export function withTallies(job: JobRecord, state: AnswerState): JobRecord {
  const prices = job.settings.variants.map((v) => batchPrice(v.price ?? priceFor(v.model)));
  const variants: VariantStats[] = job.settings.variants.map((v, i) => {
    const t = state.tallies[i];
    return {
      name: v.name, model: v.model,
      processed: t.answered + t.failed, failed_rows: t.failed, cached_rows: t.cached,
      prompt_tokens_used: t.promptTokens, completion_tokens_used: t.completionTokens, tokens_used: t.promptTokens + t.completionTokens,
      cost_usd: prices[i] ? t.cost : null, latency_ms: null,
    };
  });
  const sum = (key: 'processed' | 'failed_rows' | 'cached_rows' | 'prompt_tokens_used' | 'completion_tokens_used') => variants.reduce((total, v) => total + v[key], 0);
  const credits = prices.map((price, i) => creditsOf(price, variants[i].tokens_used));
  return {
    ...job,
    progress: { processed: sum('processed'), total: job.progress.total },
    variants,
    failed_rows: sum('failed_rows'),
    cached_rows: sum('cached_rows'),
    prompt_tokens_used: sum('prompt_tokens_used'),
    completion_tokens_used: sum('completion_tokens_used'),
    tokens_used: sum('prompt_tokens_used') + sum('completion_tokens_used'),
    cost_usd: prices.every(Boolean) ? variants.reduce((total, v) => total + (v.cost_usd ?? 0), 0) : null,
    credits_used: credits.every((c) => c === null) ? null : credits.reduce<number>((total, c) => total + (c ?? 0), 0),
  };
}
