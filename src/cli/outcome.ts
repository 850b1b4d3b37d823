import { ExitCode } from '../core/errors.js';
import type { JobRecord } from '../core/jobs.js';
import { gateMisses, type GateMiss } from '../core/score/gates.js';

/** The exit code a finished job stands for (see the README's table). */
export function exitCodeFor(job: JobRecord): number {
  // A missed --fail-under gate is what CI asked about, so it wins over failed rows.
  if (job.status === 'completed' && jobGateMisses(job).length) return ExitCode.GateFailed;
  if (job.status === 'completed') return job.failed_rows > 0 ? ExitCode.RowsFailed : ExitCode.Ok;
  if (job.status === 'cancelled') return job.stop_reason === 'budget' ? ExitCode.Budget : ExitCode.Cancelled;
  return ExitCode.Fatal;
}

/** The job record as printed by --json: the record plus how long this command ran. */
export function jobJson(job: JobRecord, wallSeconds?: number): string {
  return `${JSON.stringify(wallSeconds === undefined ? job : { ...job, wall_seconds: Number(wallSeconds.toFixed(3)) }, null, 2)}\n`;
}

/** The --fail-under gates a job's metrics miss. */
export function jobGateMisses(job: JobRecord): GateMiss[] {
  return gateMisses(job.metrics, job.settings.scoring?.fail_under ?? []);
}

/** `evalctl score`: 5 when a gate is missed, else 0. */
export function gateExitCode(misses: readonly GateMiss[]): number {
  return misses.length ? ExitCode.GateFailed : ExitCode.Ok;
}
