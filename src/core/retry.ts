import type { Failure } from './providers/types.js';

/** What to do after a failed attempt. */
export type Decision =
  | { action: 'retry'; delayMs: number }
  | { action: 'fail-row' }
  | { action: 'stop-run' };

export interface RetryPolicy {
  readonly maxRetries: number;
  /** Cap on any single wait, whatever retry-after asks. */
  readonly maxWaitMs: number;
  /** First backoff step; doubles per attempt. @default 500 */
  readonly baseDelayMs?: number;
}

const RETRYABLE = new Set(['rate-limit', 'server', 'connection', 'timeout']);

/**
 * Retries rate limits, 408/409/5xx, timeouts and dropped connections with exponential backoff
 * and full jitter, honouring retry-after (capped). Auth errors and unknown models stop the run;
 * anything else fails just this row.
 */
export function decide(failure: Failure, attempt: number, policy: RetryPolicy, random = Math.random): Decision {
  if (failure.kind === 'auth' || failure.kind === 'not-found') return { action: 'stop-run' };
  if (!RETRYABLE.has(failure.kind) || attempt >= policy.maxRetries) return { action: 'fail-row' };
  const base = policy.baseDelayMs ?? 500;
  const backoff = Math.min(policy.maxWaitMs, base * 2 ** attempt);
  const jittered = backoff / 2 + random() * (backoff / 2);
  const delayMs = failure.retryAfterMs !== undefined
    ? Math.min(policy.maxWaitMs, failure.retryAfterMs + random() * 250)
    : jittered;
  return { action: 'retry', delayMs };
}
