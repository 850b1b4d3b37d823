import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { JobError } from './errors.js';

const EDGE = 64 * 1024;

/**
 * Identifies a source file's content cheaply: size, modification time, and a hash of its first
 * and last 64 KiB. `resume` refuses a job whose source no longer matches.
 */
export function fingerprintFile(path: string): { size: number; mtime_ms: number; fingerprint: string } {
  const stats = statSync(path);
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(EDGE, stats.size));
    hash.update(buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)));
    if (stats.size > EDGE) {
      const tail = Buffer.alloc(Math.min(EDGE, stats.size - EDGE));
      hash.update(tail.subarray(0, readSync(fd, tail, 0, tail.length, stats.size - tail.length)));
    }
  } finally {
    closeSync(fd);
  }
  hash.update(String(stats.size));
  return { size: stats.size, mtime_ms: Math.round(stats.mtimeMs), fingerprint: hash.digest('hex').slice(0, 32) };
}

/**
 * Refuses to go on with job `jobId` when its source is gone or no longer matches the
 * fingerprint taken at `create`: its answers are keyed by row number and would land on other rows.
 */
export function checkSourceUnchanged(source: { path: string; size: number; fingerprint: string }, jobId: string): void {
  let now: ReturnType<typeof fingerprintFile>;
  try {
    now = fingerprintFile(source.path);
  } catch {
    throw new JobError(`The source ${source.path} of job ${jobId} cannot be read any more.`, 'Put the file back where it was to resume, or start a new job with `evalctl create`.');
  }
  if (now.size !== source.size || now.fingerprint !== source.fingerprint) {
    throw new JobError(
      `The source ${source.path} changed since job ${jobId} started (size or content differs); its answers would land on the wrong rows.`,
      'Restore the original file to resume, or start a new job on the new file with `evalctl create`.',
    );
  }
}
