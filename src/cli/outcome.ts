import { ExitCode } from '../core/errors.js';
import type { JobRecord } from '../core/jobs.js';

/** The exit code a finished job stands for (see the README's table). */
export function exitCodeFor(job: JobRecord): number {
  if (job.status === 'completed') return job.failed_rows > 0 ? ExitCode.RowsFailed : ExitCode.Ok;
  if (job.status === 'cancelled') return job.stop_reason === 'budget' ? ExitCode.Budget : ExitCode.Cancelled;
  return ExitCode.Fatal;
}

/** The job record as printed by --json: the record plus how long this command ran. */
export function jobJson(job: JobRecord, wallSeconds?: number): string {
  return `${JSON.stringify(wallSeconds === undefined ? job : { ...job, wall_seconds: Number(wallSeconds.toFixed(3)) }, null, 2)}\n`;
}
