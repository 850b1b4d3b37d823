import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { JobRecord, JobStore } from '../jobs.js';
import { requestRows, type BatchPhase } from './types.js';

/**
 * The (row, variant) pairs already in a batch of the job whose results are not in the answer
 * log yet (index `row * variants + variant`): a resumed submission must not pay for them twice.
 * Read from the batches' request files, one line at a time. With `phase`, the same for a
 * judging phase's batches, over its `lanes`.
 */
export async function pendingPairs(store: JobStore, job: JobRecord, rowCount: number, phase?: { kind: BatchPhase; lanes: number }): Promise<Uint8Array> {
  const variants = phase?.lanes ?? job.settings.variants.length;
  const pending = new Uint8Array(rowCount * variants);
  for (const batch of job.batches ?? []) {
    if (batch.collected || batch.phase !== phase?.kind) continue;
    const lines = createInterface({ input: createReadStream(join(store.paths(job.id).dir, 'batches', batch.file)), crlfDelay: Infinity });
    for await (const line of lines) {
      const id = /^\{"custom_id":"([^"]+)"/.exec(line)?.[1];
      const request = id === undefined ? undefined : requestRows(id);
      if (!request || request.variant >= variants) continue;
      for (const row of request.rows) if (row < rowCount) pending[row * variants + request.variant] = 1;
    }
  }
  return pending;
}

/** The rows of a seeded sample, as stored beside the job. */
export function readSample(path: string): number[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { rows: number[] }).rows;
}
