import type { AnswerState } from '../answers.js';
import type { JobRecord, VariantStats } from '../jobs.js';
import { creditsOf, priceFor, type Price } from '../pricing.js';
import type { RunProgress } from './progress.js';

/** A variant's price: its config override, else the built-in table's. */
export function priceOf(variant: { price: Price | null; model: string }): Price | undefined {
  return variant.price ?? priceFor(variant.model);
}

/** Live counters to start from: what the answer log says was done in earlier runs. */
export function progressFrom(job: JobRecord, tallies: AnswerState['tallies']): RunProgress {
  const variants = tallies.map((t) => ({
    processed: t.answered + t.failed, failed: t.failed, cached: t.cached, deduplicated: t.deduplicated,
    promptTokens: t.promptTokens, completionTokens: t.completionTokens, cost: t.cost, latency: t.latency,
  }));
  const sum = (key: 'processed' | 'failed' | 'cached' | 'deduplicated' | 'promptTokens' | 'completionTokens' | 'cost') => variants.reduce((total, v) => total + v[key], 0);
  return {
    processed: sum('processed'), total: job.progress.total, failed: sum('failed'), cached: sum('cached'), deduplicated: sum('deduplicated'),
    promptTokens: sum('promptTokens'), completionTokens: sum('completionTokens'), cost: sum('cost'),
    inFlight: 0, concurrency: job.settings.concurrency, variants,
  };
}

/** The record with the counters of `progress`, per variant and in total. */
export function snapshot(job: JobRecord, progress: RunProgress): JobRecord {
  const prices = job.settings.variants.map(priceOf);
  const tokens = progress.promptTokens + progress.completionTokens;
  const costKnown = prices.every((price) => price !== undefined);
  const variants: VariantStats[] = job.settings.variants.map((v, i) => {
    const p = progress.variants[i];
    return {
      name: v.name,
      model: v.model,
      processed: p.processed,
      failed_rows: p.failed,
      cached_rows: p.cached,
      deduplicated_rows: p.deduplicated ?? 0,
      prompt_tokens_used: p.promptTokens,
      completion_tokens_used: p.completionTokens,
      tokens_used: p.promptTokens + p.completionTokens,
      cost_usd: prices[i] ? p.cost : null,
      latency_ms: p.latency.summary(),
    };
  });
  const credits = prices.map((price, i) => creditsOf(price, variants[i].tokens_used));
  return {
    ...job,
    progress: { processed: progress.processed, total: progress.total },
    variants,
    failed_rows: progress.failed,
    cached_rows: progress.cached,
    deduplicated_rows: progress.deduplicated ?? 0,
    prompt_tokens_used: progress.promptTokens,
    completion_tokens_used: progress.completionTokens,
    tokens_used: tokens,
    cost_usd: costKnown ? progress.cost : null,
    credits_used: credits.every((c) => c === null) ? null : credits.reduce<number>((sum, c) => sum + (c ?? 0), 0),
    backoff: progress.backoff && progress.backoff.until > Date.now() ? { ...progress.backoff, concurrency: progress.concurrency } : null,
  };
}

export function snapshotFields(job: JobRecord): Partial<JobRecord> {
  const { progress, variants, failed_rows, cached_rows, prompt_tokens_used, completion_tokens_used, tokens_used, cost_usd, credits_used } = job;
  return { progress, variants, failed_rows, cached_rows, prompt_tokens_used, completion_tokens_used, tokens_used, cost_usd, credits_used };
}

