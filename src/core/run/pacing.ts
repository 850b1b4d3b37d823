import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Paces requests under `--rpm` and `--tpm` with token buckets that refill continuously, so a
 * run stays under the provider's limits instead of being refused. A bucket holds one minute's
 * worth, which allows a short burst after a quiet spell, as providers do.
 */
export class Pacer {
  private readonly requests?: Bucket;
  private readonly tokens?: Bucket;
  private queue: Promise<void> = Promise.resolve();

  constructor(limits: { rpm?: number; tpm?: number }) {
    if (limits.rpm) this.requests = new Bucket(limits.rpm);
    if (limits.tpm) this.tokens = new Bucket(limits.tpm);
  }

  get enabled(): boolean {
    return this.requests !== undefined || this.tokens !== undefined;
  }

  /** Waits until one request of about `tokens` tokens may go; callers are served in order. */
  take(tokens: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      const { requests, tokens: tokenBucket } = this;
      for (;;) {
        const wait = Math.max(requests?.waitFor(1) ?? 0, tokenBucket?.waitFor(Math.min(tokens, tokenBucket.capacity)) ?? 0);
        if (wait <= 0) break;
        await sleep(wait, undefined, { signal });
      }
      requests?.take(1);
      tokenBucket?.take(Math.min(tokens, tokenBucket.capacity));
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

class Bucket {
  private level: number;
  /** When the level was last brought up to date; the clock starts at the first request. */
  private updated?: number;
  readonly capacity: number;

  constructor(private readonly perMinute: number) {
    this.capacity = perMinute;
    // Start with one second's worth, not a full minute, so the first burst is gentle.
    this.level = Math.max(1, perMinute / 60);
  }

  private refill(): void {
    const now = performance.now();
    this.updated ??= now;
    this.level = Math.min(this.capacity, this.level + ((now - this.updated) * this.perMinute) / 60_000);
    this.updated = now;
  }

  /** Milliseconds until `amount` is available (0 if it is now). */
  waitFor(amount: number): number {
    this.refill();
    return this.level >= amount ? 0 : Math.ceil(((amount - this.level) * 60_000) / this.perMinute);
  }

  take(amount: number): void {
    this.refill();
    this.level -= amount;
  }
}
