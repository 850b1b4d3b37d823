import type { JudgeUsage } from './judge/metrics.js';
import type { VariantMetrics } from './score/measure.js';
import type { JobSpec } from './spec.js';
import type { BatchState, ProviderBatch } from './batch/types.js';
import type { CommitResult } from './commit/git.js';
import type { SourceRecord } from './source/verify.js';

// What a job's record (`job.json`) holds; the store that reads and writes it is jobs.ts.

export const STATUSES = ['queued', 'running', 'committing', 'completed', 'errored', 'cancelled'] as const;
export type JobStatus = (typeof STATUSES)[number];

/** Why a job stopped before finishing (status `cancelled` or `errored`). */
export type StopReason = 'cancelled' | 'budget' | 'error' | 'crashed';

/** One variant's share of a job: its outcomes, spend and latency. */
export interface VariantStats {
  name: string;
  model: string;
  /** (row, variant) outcomes so far: answered, cached or failed. */
  processed: number;
  failed_rows: number;
  /** Rows answered at no cost: from the response cache, or by a repeated prompt (`deduplicated_rows`). */
  cached_rows: number;
  /** Of `cached_rows`, rows answered by an identical prompt sent earlier in the same run. */
  deduplicated_rows?: number;
  prompt_tokens_used: number;
  completion_tokens_used: number;
  tokens_used: number;
  cost_usd: number | null;
  /** Request latency of answers sent in this job (cached answers excluded), in milliseconds. */
  latency_ms: { p50: number; p95: number } | null;
}

/** How often variants gave the same answer (trimmed, case-folded), over rows all of them answered. */
export interface Agreement {
  rows_compared: number;
  /** Share of compared rows where every variant agreed; null with nothing to compare. */
  rate: number | null;
  /** With three or more variants, each pair. */
  pairs?: { a: string; b: string; rows_compared: number; rate: number | null }[];
}

/** A job as stored in `<home>/jobs/<id>/job.json`; field names follow the hosted services. */
export interface JobRecord {
  id: string;
  name: string | null;
  status: JobStatus;
  source: SourceRecord;
  output: string;
  /** What the job asks and how it runs; see `JobSpec`. */
  settings: JobSpec;
  /** Outcomes over (row, variant) pairs: `total` is rows times variants. */
  progress: { processed: number; total: number };
  /** Rows the job covers (the sample, or every row of the source). */
  rows: number;
  /** Per variant, in the order of `settings.variants`. */
  variants: VariantStats[];
  agreement?: Agreement | null;
  /** Scores per variant name, once the output is written, when the job has `settings.scoring`. */
  metrics?: Record<string, VariantMetrics> | null;
  /** Spend of the judge's and the pairwise comparison's calls, apart from the answers' (`cost_usd` is the answers'). */
  judge_usage?: JudgeUsage | null;
  pairwise_usage?: JudgeUsage | null;
  failed_rows: number;
  /** Rows answered at no cost: from the response cache, or by a repeated prompt (`deduplicated_rows`). */
  cached_rows: number;
  /** Of `cached_rows`, rows answered by an identical prompt sent earlier in the same run. */
  deduplicated_rows?: number;
  prompt_tokens_used: number;
  completion_tokens_used: number;
  tokens_used: number;
  cost_usd: number | null;
  credits_used: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  cancelled_at: string | null;
  updated_at: string;
  error_message: string | null;
  stop_reason: StopReason | null;
  /** While some row waits to retry: why, until when (epoch ms), and the concurrency now allowed. */
  backoff?: { reason: string; until: number; concurrency: number } | null;
  /**
   * With `--batch-api`: `submitting` while a process sends the requests, `submitted` while the
   * provider works on them, with no evalctl process alive (the job is `running`, `pid` null).
   */
  batch_state?: BatchState | null;
  /**
   * With `--batch-api` and a judge (`--judge`, `--pairwise`): `answers` until the answers' batches
   * are collected, then `judges` once the judging batches are sent (a later `status` collects them).
   */
  batch_phase?: 'answers' | 'judges' | null;
  /** With `--batch-api`: every provider batch sent for the job, with its latest counts. */
  batches?: ProviderBatch[] | null;
  /** The process running the job, while it runs; a running job whose process is gone crashed. */
  pid: number | null;
  /** When that process started (see `ProcessId`), so a reused pid is not taken for it. */
  pid_started?: string | null;
  /** With --commit: the commit holding the output, once made. */
  commit?: CommitResult | null;
}
