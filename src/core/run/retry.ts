import type { Failure } from '../providers/types.js';

/** What to do after a failed attempt. */
export type Decision =
  | { action: 'retry'; delayMs: number }
  | { action: 'fail-row' }
  | { action: 'stop-run' };

export interface RetryPolicy {
  /** Retries per row for 5xx, 408/409, timeouts and dropped connections. */
  readonly maxRetries: number;
  /**
   * Retries per row for rate limits (429), counted apart: a 429 is the provider asking us to
   * wait, not a failed request, so it gets a larger allowance. @default 3 * maxRetries
   */
  readonly maxRateLimitRetries?: number;
  /** Cap on any single wait, whatever retry-after asks. */
  readonly maxWaitMs: number;
  /** First backoff step; doubles per attempt. @default 500 */
  readonly baseDelayMs?: number;
}

const RETRYABLE = new Set(['rate-limit', 'server', 'connection', 'timeout']);

/** How many earlier failures of a row count toward the limit for `failure` (see `RetryPolicy`). */
export interface Attempts {
  /** Earlier rate limits (429) of this row. */
  readonly rateLimited: number;
  /** Earlier failures of any other kind. */
  readonly failed: number;
}

/**
 * Retries rate limits, 408/409/5xx, timeouts and dropped connections with exponential backoff
 * (base, 2x base, 4x base, ... capped at `maxWaitMs`), each wait drawn at random from the upper
 * half of its step so rows that failed together do not retry together. A `retry-after` is
 * honoured (plus up to 250 ms of jitter), capped at `maxWaitMs` too. Auth errors, exhausted
 * quota and unknown models stop the run; anything else fails just this row, as does running
 * out of retries. The backoff step grows with the count of earlier failures of the same class.
 */
export function decide(failure: Failure, attempts: Attempts, policy: RetryPolicy, random = Math.random): Decision {
  if (failure.kind === 'auth' || failure.kind === 'not-found' || failure.kind === 'quota') return { action: 'stop-run' };
  if (!RETRYABLE.has(failure.kind)) return { action: 'fail-row' };
  const rateLimit = failure.kind === 'rate-limit';
  const attempt = rateLimit ? attempts.rateLimited : attempts.failed;
  const limit = rateLimit ? policy.maxRateLimitRetries ?? policy.maxRetries * 3 : policy.maxRetries;
  if (attempt >= limit) return { action: 'fail-row' };
  const base = policy.baseDelayMs ?? 500;
  const backoff = Math.min(policy.maxWaitMs, base * 2 ** attempt);
  const jittered = backoff / 2 + random() * (backoff / 2);
  const delayMs = failure.retryAfterMs !== undefined
    ? Math.min(policy.maxWaitMs, failure.retryAfterMs + random() * 250)
    : jittered;
  return { action: 'retry', delayMs };
}
