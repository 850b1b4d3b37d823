import { LatencySample } from './latency.js';

/** One variant's live counters. */
export interface VariantProgress {
  /** (row, variant) outcomes: answered, cached or failed, including earlier runs of the job. */
  processed: number;
  failed: number;
  cached: number;
  /** Of `cached`, answered by an identical prompt sent earlier in the same run. */
  deduplicated?: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  latency: LatencySample;
}

/** Live counters, updated in place as answers arrive; the progress display reads them. */
export interface RunProgress {
  /** (row, variant) pairs with an outcome (answer or final error), including earlier runs of the job. */
  processed: number;
  total: number;
  failed: number;
  cached: number;
  /** Of `cached`, answered by an identical prompt sent earlier in the same run. */
  deduplicated?: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  inFlight: number;
  concurrency: number;
  /** Per variant, in the job's order; the fields above are their sums. */
  variants: VariantProgress[];
  /** Set while some request waits to retry. */
  backoff?: { reason: string; until: number };
}
