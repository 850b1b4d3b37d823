import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/core/run/pacing.js';

// Token buckets under --rpm / --tpm. Small numbers so each case takes well under a second:
// a bucket starts with one second's worth, then refills at perMinute / 60 a second.

/** Milliseconds from the first take to each take resolving. */
async function schedule(pacer: Pacer, takes: number, tokens = 1): Promise<number[]> {
  const start = performance.now();
  return Promise.all(Array.from({ length: takes }, () => pacer.take(tokens).then(() => performance.now() - start)));
}

describe('Pacer', () => {
  it('is off without limits, and takes resolve at once', async () => {
    const pacer = new Pacer({});
    expect(pacer.enabled).toBe(false);
    const times = await schedule(pacer, 50);
    expect(Math.max(...times)).toBeLessThan(50);
  });

  it.each([
    // rpm, takes, burst allowed at once, minimum total time (ms) for the rest
    [1200, 30, 20, 450], // 20/s: 20 now, 10 more at 50 ms each
    [600, 13, 10, 250], // 10/s: 10 now, 3 more at 100 ms each
  ])('--rpm %i: %i requests, %i at once, the rest paced (>= %i ms)', async (rpm, takes, burst, minMs) => {
    const times = await schedule(new Pacer({ rpm }), takes);
    expect(times.filter((t) => t < 30).length).toBe(burst);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(minMs);
    expect(Math.max(...times)).toBeLessThan(minMs * 3);
  });

  it('never goes faster than the rate, however late the timers fire: the k-th paced request waits >= k x 50 ms', async () => {
    const times = await schedule(new Pacer({ rpm: 1200 }), 26);
    const paced = times.slice(20);
    paced.forEach((t, k) => {
      expect(t).toBeGreaterThanOrEqual((k + 1) * 50 - 5);
      if (k > 0) expect(t).toBeGreaterThanOrEqual(paced[k - 1]);
    });
  });

  it('the clock starts at the first request: an idle pacer does not save up a burst', async () => {
    const pacer = new Pacer({ rpm: 1200 });
    await sleep(300); // 6 requests' worth of refill, were the clock running
    const times = await schedule(pacer, 24);
    expect(times.filter((t) => t < 30).length).toBe(20);
  });

  it('--tpm paces by tokens: 100-token requests at 60,000 tpm go ten at once, then ten a second', async () => {
    // 1,000 tokens a second: 1,000 at once (10 requests), then one request per 100 ms.
    const times = await schedule(new Pacer({ tpm: 60_000 }), 15, 100);
    expect(times.filter((t) => t < 30).length).toBe(10);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(450);
  });

  it('--tpm alone does not limit requests: 5 requests of 1 token go at once', async () => {
    const times = await schedule(new Pacer({ tpm: 6000 }), 5, 1);
    expect(Math.max(...times)).toBeLessThan(30);
  });

  it('with --rpm and --tpm the stricter one paces', async () => {
    // rpm 6000 allows 100 at once; tpm 6000 allows 100 tokens at once = 2 requests of 50.
    const times = await schedule(new Pacer({ rpm: 6000, tpm: 6000 }), 4, 50);
    expect(times.filter((t) => t < 30).length).toBe(2);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(900);
  });

  it('an aborted wait rejects, and later takes are not blocked by it', async () => {
    const pacer = new Pacer({ rpm: 60 }); // 1 at once, then one a second
    await pacer.take(1);
    const controller = new AbortController();
    const waiting = pacer.take(1, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(waiting).rejects.toThrow(/abort/i);
    const start = performance.now();
    await pacer.take(1);
    expect(performance.now() - start).toBeLessThan(1500);
  });
});
