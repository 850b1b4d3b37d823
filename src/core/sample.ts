/**
 * `count` distinct row numbers below `total`, chosen with a seeded generator (the same seed
 * always picks the same rows), sorted in file order. Floyd's algorithm: O(count) memory.
 */
export function sampleRows(total: number, count: number, seed: number): number[] {
  const random = mulberry32(seed);
  const chosen = new Set<number>();
  const n = Math.min(count, total);
  for (let j = total - n; j < total; j++) {
    const candidate = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(candidate) ? j : candidate);
  }
  return [...chosen].sort((a, b) => a - b);
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
