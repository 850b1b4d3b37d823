import { Dataset, type InputFormat } from './dataset.js';
import { JobError, UsageError } from './errors.js';
import { checkSourceFiles, sourceFiles } from './source/verify.js';
import { isActive, type JobRecord, type JobStore } from './jobs.js';
import { claimJobOutput, takenError } from './output/claim.js';
import { writeJobOutput } from './output/job-output.js';
import { holderFor, releaseOutput, reserveOutput } from './output/ownership.js';
import { checkOutputPath, sameFile } from './output/path.js';
import { outputFormatFromPath, type OutputFormat } from './writer.js';

/** What `evalctl export` was asked to do. */
export interface ExportRequest {
  /** Job id or a unique prefix of it. */
  readonly id: string;
  /** Where to write; the format follows the extension. Without it, `overwrite` rewrites the job's own output. */
  readonly output?: string;
  /** Replace an existing file; without `output`, write the job's own output again. */
  readonly overwrite?: boolean;
  readonly cwd: string;
}

/** What was written. */
export interface ExportResult {
  readonly job: JobRecord;
  readonly output: string;
  readonly format: OutputFormat;
}

/**
 * Writes a stopped job's output again from its answer log, sending nothing: every input column
 * of its rows plus its answer columns, exactly as the run wrote them (rows it never reached are
 * `not_run`), in any output format. Refuses a job that is running, a source that changed since
 * the job started, the input file as the output, an existing file without `overwrite`, and a
 * path another job owns; while it writes, the path is reserved like a job's output.
 *
 * @example exportJob(store, { id: 'k3x9pq', output: 'answers.parquet', cwd })
 */
export async function exportJob(store: JobStore, request: ExportRequest): Promise<ExportResult> {
  if (request.output === undefined && !request.overwrite) {
    throw new UsageError('export needs -o <path> to write to, or --overwrite to write the job\'s own output again.', `For example: \`evalctl export ${request.id} -o answers.parquet\`.`);
  }
  const job = store.read(request.id);
  if (isActive(job.status)) {
    throw new JobError(`Job ${job.id} is ${job.status}; export writes the output of a job that has stopped.`, `Wait for it with \`evalctl status ${job.id} --watch\`, or stop it with \`evalctl cancel ${job.id}\`.`);
  }
  const output = request.output === undefined
    ? job.output
    : checkOutputPath(request.output, { cwd: request.cwd, input: job.source.path, overwrite: request.overwrite ?? false, flag: '-o' });
  const own = sameFile(output, job.output);
  const format = own ? job.settings.output_format as OutputFormat : outputFormatFromPath(output);
  // Keeps a `resume` of this job from writing the same file meanwhile.
  const unlock = store.lockRun(job.id);
  try {
    checkSourceFiles(job.source, job.id);
    const me = holderFor(store, job.id);
    if (own) {
      claimJobOutput(store, job);
    } else {
      const blocked = reserveOutput(output, me, { overwrite: false });
      // Another job's output is never replaced by an export, --overwrite or not.
      if (blocked) throw takenError(request.output ?? output, blocked, true);
    }
    try {
      const dataset = await Dataset.open(sourceFiles(job.source), { format: job.settings.input_format as InputFormat });
      try {
        await writeJobOutput(store, job, dataset, { output, format });
      } finally {
        dataset.close();
      }
    } finally {
      // A copy belongs to no job once written; the job's own output stays its own.
      if (!own) releaseOutput(output, me);
    }
    return { job, output, format };
  } finally {
    unlock();
  }
}
