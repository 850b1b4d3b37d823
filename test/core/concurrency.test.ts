import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../src/core/run/concurrency.js';

// AIMD: a 429 halves the cap (once per cooldown), successes add one back per window, up to max.
// The clock is passed in, so the cooldown is tested without waiting.

describe('AdaptiveLimit: cuts on rate limits', () => {
  it.each([
    // max, rate limits (each past the cooldown), expected cap
    [8, 1, 4],
    [8, 2, 2],
    [8, 3, 1],
    [8, 10, 1],
    [7, 1, 3],
    [1, 1, 1],
  ])('max %i after %i cuts -> %i', (max, cuts, expected) => {
    const limit = new AdaptiveLimit(max, 1000);
    for (let i = 0; i < cuts; i++) limit.onRateLimit(10_000 + i * 1000);
    expect(limit.current).toBe(expected);
  });

  it('a burst of 429s within the cooldown counts once', () => {
    const limit = new AdaptiveLimit(16, 1000);
    for (let t = 0; t < 900; t += 100) limit.onRateLimit(5000 + t);
    expect(limit.current).toBe(8);
    limit.onRateLimit(6000);
    expect(limit.current).toBe(4);
  });
});

describe('AdaptiveLimit: grows back on success', () => {
  it('adds one after `current` successes in a row, up to max', () => {
    const limit = new AdaptiveLimit(8, 1000);
    limit.onRateLimit(10_000);
    limit.onRateLimit(11_000); // 2
    const caps: number[] = [];
    for (let i = 0; i < 30; i++) { limit.onSuccess(); caps.push(limit.current); }
    // 2 successes -> 3, 3 more -> 4, 4 more -> 5, ... never past 8
    expect(caps.slice(0, 2)).toEqual([2, 3]);
    expect(caps[4]).toBe(4);
    expect(caps[8]).toBe(5);
    expect(Math.max(...caps)).toBeLessThanOrEqual(8);
    for (let i = 0; i < 100; i++) limit.onSuccess();
    expect(limit.current).toBe(8);
  });

  it('a rate limit resets the success streak', () => {
    const limit = new AdaptiveLimit(8, 0);
    limit.onRateLimit(1); // 4
    for (let i = 0; i < 3; i++) limit.onSuccess();
    limit.onRateLimit(2); // 2, streak gone
    limit.onSuccess();
    expect(limit.current).toBe(2);
    limit.onSuccess();
    expect(limit.current).toBe(3);
  });
});

describe('AdaptiveLimit.run: the cap is what actually runs', () => {
  async function peak(limit: AdaptiveLimit, tasks: number, during?: (i: number) => void): Promise<number> {
    let active = 0;
    let max = 0;
    await Promise.all(Array.from({ length: tasks }, (_, i) => limit.run(async () => {
      active += 1;
      max = Math.max(max, active);
      during?.(i);
      await sleep(5);
      active -= 1;
    })));
    return max;
  }

  it('never runs more than the cap at once', async () => {
    expect(await peak(new AdaptiveLimit(4), 20)).toBe(4);
  });

  it('a cut takes effect for tasks not yet started', async () => {
    const limit = new AdaptiveLimit(8, 0);
    limit.onRateLimit(1);
    limit.onRateLimit(2); // 2
    expect(await peak(limit, 12)).toBe(2);
  });

  it('growing the cap starts queued tasks at once', async () => {
    const limit = new AdaptiveLimit(4, 0);
    limit.onRateLimit(1);
    limit.onRateLimit(2); // 1
    let seen = 0;
    const max = await peak(limit, 12, () => { limit.onSuccess(); seen = Math.max(seen, limit.active); });
    expect(limit.current).toBe(4);
    expect(max).toBeGreaterThan(1);
    expect(seen).toBeGreaterThan(1);
  });
});
