import type { JobRecord } from '../jobs.js';

/**
 * The job waits on its provider batches (`running`, `batch_state` `submitted`, no process
 * alive): `status` polls them and collects their results, `cancel` cancels them. Kept apart
 * from the batch flow so that commands checking it do not load the SDKs and DuckDB.
 */
export function isBatchWaiting(job: Pick<JobRecord, 'status' | 'batch_state'>): boolean {
  return job.status === 'running' && job.batch_state === 'submitted';
}
