import { existsSync } from 'node:fs';
import type { InputFormat } from '../dataset.js';
import { JobError } from '../errors.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { holderFor, releaseOutput, reserveOutput, type Holder, type Standing } from './ownership.js';
import { defaultOutputNames } from './path.js';

/** How a new job's output was chosen: named with `-o` (and maybe `--overwrite`), or by default. */
export interface OutputChoice {
  readonly explicit: boolean;
  readonly overwrite: boolean;
}

type Blocked = Extract<Standing, { holder: Holder }>;

/**
 * Makes a just-created job the owner of its output. A default name another job took in the
 * meantime gives way to the next free one (`x.prediction-2.csv`), and the record says so; an
 * explicit `-o` held by another job is refused in one line naming that job. Returns the record.
 */
export function takeNewOutput(store: JobStore, job: JobRecord, choice: OutputChoice): JobRecord {
  if (privateOutput(job.output)) return job;
  const me = holderFor(store, job.id);
  if (choice.explicit) {
    const blocked = reserveOutput(job.output, me, { overwrite: choice.overwrite });
    if (blocked) throw takenError(job.output, blocked, choice.overwrite);
    return job;
  }
  const s = job.settings;
  for (const candidate of defaultOutputNames(job.source.path, s.input_format as InputFormat, s.target_column)) {
    // A file without a reservation is someone's all the same; a default name never replaces a file.
    if (existsSync(candidate) || reserveOutput(candidate, me, { overwrite: false })) continue;
    if (existsSync(candidate)) {
      releaseOutput(candidate, me);
      continue;
    }
    if (candidate === job.output) return job;
    const renamed = { ...job, output: candidate };
    store.write(renamed);
    return renamed;
  }
  throw new Error('unreachable');
}

/**
 * Before a job runs (again): its output must still be its own. Renews its reservation, or
 * takes the path back if nobody holds it; refuses if another job took it over meanwhile.
 */
export function claimJobOutput(store: JobStore, job: JobRecord): void {
  if (privateOutput(job.output)) return;
  const blocked = reserveOutput(job.output, holderFor(store, job.id), { overwrite: false });
  if (blocked) {
    throw new JobError(
      `The output ${job.output} of job ${job.id} now belongs to job ${blocked.holder.job} (${blocked.status}); two jobs never write one file.`,
      `Write this job's answers elsewhere with \`evalctl export ${job.id} -o <path>\`.`,
    );
  }
}

/** A job that stopped before writing anything gives its output path back (the folder stays as it was). */
export function releaseJobOutput(store: JobStore, job: JobRecord): void {
  if (privateOutput(job.output)) return;
  if (!existsSync(job.output)) releaseOutput(job.output, holderFor(store, job.id));
}

/** The one line for an output path another job holds. */
export function takenError(output: string, blocked: Blocked, overwrite: boolean): JobError {
  const other = blocked.holder.job;
  if (blocked.kind === 'running') {
    return new JobError(
      `The output ${output} is being written by job ${other} (${blocked.status}); two jobs never write one file.`,
      `Choose another output path, or wait for it: \`evalctl status ${other} --watch\`.`,
    );
  }
  return new JobError(
    `The output ${output} belongs to job ${other} (${blocked.status}).`,
    overwrite ? 'Choose another output path.' : 'Pass --overwrite to take it over, or choose another output path.',
  );
}

/**
 * `-o -` and `-o s3://...`: the file is written in the job's own folder (see `outputFileFor`),
 * which no other job shares, so there is nothing to reserve.
 */
function privateOutput(output: string): boolean {
  return output === '-' || /^s3:\/\//i.test(output);
}
