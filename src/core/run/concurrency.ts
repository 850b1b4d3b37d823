import pLimit, { type LimitFunction } from 'p-limit';

/**
 * A concurrency cap that adapts to rate limits (AIMD, as TCP does): a 429 halves it, at most
 * once per `cooldownMs` so one burst of 429s counts once; every `current` successes in a row
 * add one back, up to the `max` the user asked for.
 */
export class AdaptiveLimit {
  private readonly limiter: LimitFunction;
  private successes = 0;
  private lastCut = 0;

  constructor(readonly max: number, private readonly cooldownMs = 1000) {
    this.limiter = pLimit(max);
  }

  get current(): number {
    return this.limiter.concurrency;
  }

  get active(): number {
    return this.limiter.activeCount;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.limiter(task);
  }

  onRateLimit(now = Date.now()): void {
    this.successes = 0;
    if (now - this.lastCut < this.cooldownMs) return;
    this.lastCut = now;
    this.limiter.concurrency = Math.max(1, Math.floor(this.limiter.concurrency / 2));
  }

  onSuccess(): void {
    if (this.limiter.concurrency >= this.max) return;
    this.successes += 1;
    if (this.successes >= this.limiter.concurrency) {
      this.successes = 0;
      this.limiter.concurrency += 1;
    }
  }
}
