import { describe, expect, it } from 'vitest';
import { decide, type RetryPolicy } from '../../src/core/run/retry.js';
import type { Failure, FailureKind } from '../../src/core/providers/types.js';

// decide(): what the runner does after a failed attempt. `random` is injected, so the jitter
// bounds are checked at both ends (0 and just under 1) rather than sampled.

const policy: RetryPolicy = { maxRetries: 6, maxWaitMs: 60_000, baseDelayMs: 500 };
const failure = (kind: FailureKind, extra: Partial<Failure> = {}): Failure => ({ kind, message: kind, ...extra });
/** The row's earlier failures: `n` of the failure's own class, none of the other. */
const after = (n: number, kind: FailureKind = 'server') => kind === 'rate-limit' ? { rateLimited: n, failed: 0 } : { rateLimited: 0, failed: n };
const low = () => 0;
const high = () => 0.999_999;

describe('which failures retry, fail the row, or stop the run', () => {
  it.each<[FailureKind, string]>([
    ['rate-limit', 'retry'],
    ['server', 'retry'],
    ['connection', 'retry'],
    ['timeout', 'retry'],
    ['auth', 'stop-run'],
    ['quota', 'stop-run'],
    ['not-found', 'stop-run'],
    ['bad-request', 'fail-row'],
    ['other', 'fail-row'],
  ])('%s -> %s', (kind, action) => {
    expect(decide(failure(kind), after(0, kind), policy).action).toBe(action);
  });

  it('auth and not-found stop the run even with no retries left', () => {
    expect(decide(failure('auth'), after(6), policy).action).toBe('stop-run');
    expect(decide(failure('not-found'), after(0), { ...policy, maxRetries: 0 }).action).toBe('stop-run');
  });

  it.each([
    [0, 0, 'fail-row'],
    [1, 0, 'retry'],
    [1, 1, 'fail-row'],
    [6, 5, 'retry'],
    [6, 6, 'fail-row'],
  ])('maxRetries %i, attempt %i -> %s', (maxRetries, attempt, action) => {
    for (const kind of ['server', 'connection', 'timeout'] as const) {
      expect(decide(failure(kind), after(attempt, kind), { ...policy, maxRetries }).action).toBe(action);
    }
  });

  it.each([
    // maxRetries, maxRateLimitRetries, earlier 429s, earlier other failures, for a 429 / a 500
    [6, undefined, 17, 0, 'retry', 'retry'],
    [6, undefined, 18, 0, 'fail-row', 'retry'],
    [6, undefined, 0, 6, 'retry', 'fail-row'],
    [2, 10, 9, 1, 'retry', 'retry'],
    [2, 10, 10, 2, 'fail-row', 'fail-row'],
    [0, undefined, 0, 0, 'fail-row', 'fail-row'],
  ])('rate limits count apart: maxRetries %s, maxRateLimitRetries %s, %i 429s and %i others before -> 429 %s, 500 %s', (maxRetries, maxRateLimitRetries, rateLimited, failed, on429, on500) => {
    const p = { ...policy, maxRetries, maxRateLimitRetries };
    expect(decide(failure('rate-limit', { status: 429 }), { rateLimited, failed }, p).action).toBe(on429);
    expect(decide(failure('server', { status: 500 }), { rateLimited, failed }, p).action).toBe(on500);
  });
});

describe('exponential backoff with jitter', () => {
  const delay = (attempt: number, random: () => number, p: RetryPolicy = policy) => {
    const d = decide(failure('server'), after(attempt), p, random);
    if (d.action !== 'retry') throw new Error(`expected a retry, got ${d.action}`);
    return d.delayMs;
  };

  it.each([
    // attempt, step (base * 2^attempt): each wait lies in [step / 2, step)
    [0, 500],
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16_000],
  ])('attempt %i waits between half of %i ms and %i ms', (attempt, step) => {
    expect(delay(attempt, low)).toBe(step / 2);
    expect(delay(attempt, high)).toBeLessThan(step);
    expect(delay(attempt, high)).toBeGreaterThan(step * 0.99);
  });

  it('grows: the shortest wait of each attempt is the longest of the one before', () => {
    for (let attempt = 1; attempt < 6; attempt++) {
      expect(delay(attempt, low)).toBeCloseTo(delay(attempt - 1, high), 0);
    }
  });

  it('is capped at maxWaitMs however many attempts', () => {
    const p = { ...policy, maxRetries: 50, maxWaitMs: 3000 };
    expect(delay(10, high, p)).toBeLessThanOrEqual(3000);
    expect(delay(40, low, p)).toBe(1500);
  });

  it('spreads rows that failed together over the upper half of the step', () => {
    const waits = Array.from({ length: 200 }, () => delay(2, Math.random));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...waits)).toBeLessThan(2000);
    expect(new Set(waits.map((w) => Math.floor(w / 100))).size).toBeGreaterThan(5);
  });

  it('uses 500 ms as the base step by default', () => {
    expect(delay(0, low, { maxRetries: 3, maxWaitMs: 60_000 })).toBe(250);
  });
});

describe('retry-after', () => {
  const wait = (retryAfterMs: number, random: () => number, p: RetryPolicy = policy, attempt = 0) => {
    const d = decide(failure('rate-limit', { status: 429, retryAfterMs }), after(attempt, 'rate-limit'), p, random);
    if (d.action !== 'retry') throw new Error(`expected a retry, got ${d.action}`);
    return d.delayMs;
  };

  it.each([
    [1000, 1000, 1250],
    [0, 0, 250],
    [2500, 2500, 2750],
  ])('retry-after %i ms: waits %i to %i ms, whatever the attempt', (after, min, max) => {
    expect(wait(after, low)).toBe(min);
    expect(wait(after, high)).toBeLessThan(max);
    expect(wait(after, low, policy, 4)).toBe(min);
  });

  it('is capped at maxWaitMs', () => {
    expect(wait(3_600_000, high)).toBe(60_000);
    expect(wait(5000, low, { ...policy, maxWaitMs: 2000 })).toBe(2000);
  });

  it('still gives up once rate-limit retries (3 x maxRetries) run out', () => {
    const d = decide(failure('rate-limit', { status: 429, retryAfterMs: 1000 }), after(6, 'rate-limit'), { ...policy, maxRetries: 2 });
    expect(d.action).toBe('fail-row');
  });
});
