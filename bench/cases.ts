// The benchmark cases and their targets (issue 5).

export type CaseId = 'a' | 'b' | 'c';

export interface CaseSpec {
  id: CaseId;
  title: string;
  rows: number;
  /** rows under --quick (a smoke run, ~10-40x smaller) */
  quickRows: number;
  concurrency: number;
  latencyMs: number;
  input: 'csv' | 'parquet';
  output: 'csv' | 'parquet';
  /** clients of the bare loop run for this case; the first is the ceiling the target uses */
  bareClients: ('http' | 'fetch')[];
  /** memory case: RSS is compared at this fraction of the rows and at the end */
  memoryCheckpoint?: number;
}

export const PROMPT = 'Classify: {review}';
export const MODEL = 'gpt-4o-mini';

export const CASES: Record<CaseId, CaseSpec> = {
  a: { id: 'a', title: 'instant server, c32', rows: 20_000, quickRows: 1_000, concurrency: 32, latencyMs: 0, input: 'csv', output: 'csv', bareClients: ['http', 'fetch'] },
  b: { id: 'b', title: '200 ms latency, c64', rows: 4_000, quickRows: 200, concurrency: 64, latencyMs: 200, input: 'csv', output: 'csv', bareClients: ['http', 'fetch'] },
  c: { id: 'c', title: '1M rows parquet, memory', rows: 1_000_000, quickRows: 25_000, concurrency: 32, latencyMs: 0, input: 'parquet', output: 'parquet', bareClients: ['http'], memoryCheckpoint: 0.1 },
};

/** Targets printed next to the results (issue 16). */
export const TARGETS = {
  /** evalctl rows/s over the bare loop's (instant server) */
  instantRatio: 0.8,
  /** evalctl rows/s over concurrency / latency (200 ms, c64: 320 rows/s), whole process */
  latencyRatio: 0.97,
  peakRssMB: 250,
  /** RSS at the end minus RSS at the checkpoint (100k of 1M rows) */
  flatGrowthMB: 32,
  helpMs: 100,
};
