/** Samples kept at most: percentiles of a reservoir this size are within a percent or so. */
const CAPACITY = 4096;

/**
 * Request latencies of one variant, for p50/p95 in constant memory: every value up to
 * `CAPACITY`, then a uniform reservoir sample of all values seen (Vitter's algorithm R).
 */
export class LatencySample {
  private readonly values: number[] = [];
  private seen = 0;

  constructor(private readonly random: () => number = Math.random) {}

  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.seen += 1;
    if (this.values.length < CAPACITY) { this.values.push(ms); return; }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < CAPACITY) this.values[slot] = ms;
  }

  get count(): number {
    return this.seen;
  }

  /** Nearest-rank percentiles in whole milliseconds; null before any value. */
  summary(): { p50: number; p95: number } | null {
    if (this.values.length === 0) return null;
    const sorted = Float64Array.from(this.values).sort();
    const rank = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
    return { p50: rank(0.5), p95: rank(0.95) };
  }
}
