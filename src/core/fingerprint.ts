import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { JobError } from './errors.js';

/** Prefix of a whole-file fingerprint; records without it hold the older edge fingerprint. */
const SHA256 = 'sha256:';
const CHUNK = 1024 * 1024;
const EDGE = 64 * 1024;

/**
 * Identifies a source file's content: size, modification time, and `sha256:<hex>` of every byte.
 * `resume` refuses a job whose source no longer matches. The file is read in 1 MiB chunks, so
 * memory stays flat; hashing 100 MB takes ~0.2 s, nothing next to the model calls it protects.
 */
export function fingerprintFile(path: string): { size: number; mtime_ms: number; fingerprint: string } {
  const hash = createHash('sha256');
  const stats = withFile(path, (fd) => {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) return;
      hash.update(buffer.subarray(0, read));
      position += read;
    }
  });
  return { size: stats.size, mtime_ms: Math.round(stats.mtimeMs), fingerprint: SHA256 + hash.digest('hex') };
}

/**
 * The fingerprint of evalctl 0.1 jobs: 32 hex digits of a hash of the first and last 64 KiB and
 * the size. Kept only so that jobs created by that version still resume; it misses an edit in
 * the middle of a file of the same size.
 */
export function edgeFingerprint(path: string): string {
  const hash = createHash('sha256');
  const stats = withFile(path, (fd, size) => {
    const head = Buffer.alloc(Math.min(EDGE, size));
    hash.update(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
    if (size > EDGE) {
      const tail = Buffer.alloc(Math.min(EDGE, size - EDGE));
      hash.update(tail.subarray(0, readSync(fd, tail, 0, tail.length, size - tail.length)));
    }
  });
  hash.update(String(stats.size));
  return hash.digest('hex').slice(0, 32);
}

/** Opens `path`, lets `read` read it, closes it; returns its stats. */
function withFile(path: string, read: (fd: number, size: number) => void): { size: number; mtimeMs: number } {
  const fd = openSync(path, 'r');
  try {
    const stats = fstatSync(fd);
    read(fd, stats.size);
    return stats;
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses to go on with job `jobId` when its source is gone or no longer matches the
 * fingerprint taken at `create`: its answers are keyed by row number and would land on other rows.
 * A record from evalctl 0.1 (no `sha256:` prefix) is checked with that version's edge fingerprint.
 */
export function checkSourceUnchanged(source: { path: string; size: number; fingerprint: string }, jobId: string): void {
  let size: number;
  let fingerprint: string;
  try {
    size = statSync(source.path).size;
    // A size change is caught without reading the file.
    fingerprint = size !== source.size ? '' : source.fingerprint.startsWith(SHA256) ? fingerprintFile(source.path).fingerprint : edgeFingerprint(source.path);
  } catch {
    throw new JobError(`The source ${source.path} of job ${jobId} cannot be read any more.`, 'Put the file back where it was to resume, or start a new job with `evalctl create`.');
  }
  if (size !== source.size || fingerprint !== source.fingerprint) {
    throw new JobError(
      `The source ${source.path} changed since job ${jobId} started (size or content differs); its answers would land on the wrong rows.`,
      'Restore the original file to resume, or start a new job on the new file with `evalctl create`.',
    );
  }
}
