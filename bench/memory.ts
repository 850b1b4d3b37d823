// Is memory flat? RSS around a checkpoint (e.g. 100k of 1M rows) against RSS near the end of the
// sending phase, the growth rate between them, and the peak before the output write.
import type { HeapSample, Sample } from './measure.js';

export interface MemoryProfile {
  checkpointRows: number;
  /** median RSS of the polls while rows [checkpoint, checkpoint + 5%) were being processed */
  rssAtCheckpointMB: number | null;
  /** median RSS of the polls in the last 5% of rows, still sending (status running) */
  rssAtEndMB: number | null;
  /** rows processed at the first and last poll of those windows */
  checkpointProcessed: number | null;
  endProcessed: number | null;
  growthMB: number | null;
  /** least-squares slope of RSS over rows processed, checkpoint to end */
  mbPer100kRows: number | null;
  /** VmHWM at the last poll while sending: the peak before the output write began */
  peakSendingMB: number;
  /** process.memoryUsage() inside evalctl nearest the checkpoint and the end */
  heapAtCheckpoint: HeapSample | null;
  heapAtEnd: HeapSample | null;
}

export function memoryProfile(samples: Sample[], heap: HeapSample[], rows: number, fraction: number): MemoryProfile {
  const checkpointRows = Math.round(rows * fraction);
  const sending = samples.filter((s) => s.status === 'running');
  const early = sending.filter((s) => s.processed >= checkpointRows && s.processed < checkpointRows + rows * 0.05);
  const late = sending.filter((s) => s.processed >= rows * 0.95);
  const rssAtCheckpointMB = median(early.map((s) => s.rssMB));
  const rssAtEndMB = median(late.map((s) => s.rssMB));
  return {
    checkpointRows, rssAtCheckpointMB, rssAtEndMB,
    checkpointProcessed: early[0]?.processed ?? null,
    endProcessed: late.at(-1)?.processed ?? null,
    growthMB: rssAtCheckpointMB !== null && rssAtEndMB !== null ? Math.round((rssAtEndMB - rssAtCheckpointMB) * 10) / 10 : null,
    mbPer100kRows: slope(sending.filter((s) => s.processed >= checkpointRows)),
    peakSendingMB: Math.max(0, ...sending.map((s) => s.hwmMB)),
    heapAtCheckpoint: early[0] ? nearest(heap, early[0].t) : null,
    heapAtEnd: late.at(-1) ? nearest(heap, late.at(-1)!.t) : null,
  };
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function slope(samples: Sample[]): number | null {
  if (samples.length < 3) return null;
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.processed, 0) / n;
  const my = samples.reduce((a, s) => a + s.rssMB, 0) / n;
  let sxy = 0, sxx = 0;
  for (const s of samples) { sxy += (s.processed - mx) * (s.rssMB - my); sxx += (s.processed - mx) ** 2; }
  return sxx === 0 ? null : Math.round((sxy / sxx) * 100_000 * 10) / 10;
}

function nearest(heap: HeapSample[], t: number): HeapSample | null {
  let best: HeapSample | null = null;
  for (const h of heap) if (!best || Math.abs(h.t - t) < Math.abs(best.t - t)) best = h;
  return best;
}
