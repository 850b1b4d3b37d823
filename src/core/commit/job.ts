import { basename } from 'node:path';
import type { JobRecord } from '../jobs.js';
import { commitFile, type CommitResult } from './git.js';

/** `--commit`, `--commit-message`, `--target-branch`, as kept in the job's settings. */
export interface CommitSettings {
  message: string | null;
  branch: string | null;
}

/**
 * Commits a finished job's output file (see `commitFile`); the message defaults to naming
 * the job, the model and the source.
 */
export function commitJobOutput(job: JobRecord, env: NodeJS.ProcessEnv): Promise<CommitResult> {
  const settings = job.settings.commit!;
  const source = job.source.url ?? basename(job.source.path);
  const message = settings.message ?? `evalctl: ${job.name ?? `job ${job.id}`}, ${job.settings.variants.map((v) => v.model).join(', ')} over ${source}\n\n${job.rows} rows, ${job.failed_rows} failed; target column ${job.settings.target_column}.`;
  return commitFile({ file: job.output, message, branch: settings.branch, env });
}
