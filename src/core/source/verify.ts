import { createHash } from 'node:crypto';
import { JobError } from '../errors.js';
import { checkSourceUnchanged, fingerprintFile } from '../fingerprint.js';
import type { RemoteMeta } from './download.js';
import { expandLocal } from './glob.js';
import { headHttp } from './http.js';
import { locateSource } from './locate.js';
import type { LocalSource } from './materialize.js';
import { headS3, listS3, s3Client } from './s3.js';

/** One local file as fingerprinted at `create`. */
export interface FileRecord {
  path: string;
  size: number;
  mtime_ms: number;
  /** `sha256:<hex>` of the file's bytes. */
  fingerprint: string;
}

/** A job's source as recorded: the local file(s) read, and for a remote table where it came from. */
export interface SourceRecord extends FileRecord {
  /** The URL given to `create`, credentials masked (`-` for stdin); absent for local files. */
  url?: string;
  /** ETag, Last-Modified and size as the remote store reported them at download. */
  remote?: RemoteMeta;
  s3_endpoint?: string | null;
  /**
   * Several files read as one table (a glob, a folder, an S3 pattern), in order; `path` is then
   * the pattern, `size` the total, `fingerprint` a hash over every file's name and hash.
   */
  files?: (FileRecord & { key?: string; remote?: RemoteMeta })[];
}

/** The record of a source made local: every byte hashed, plus what a remote store said. */
export function sourceRecord(local: LocalSource): SourceRecord {
  const remote = {
    ...(local.url !== null ? { url: local.url } : {}),
    ...(local.remote !== null ? { remote: local.remote } : {}),
    ...(local.s3Endpoint !== null ? { s3_endpoint: local.s3Endpoint } : {}),
  };
  if (local.files === null) return { path: local.path, ...fingerprintFile(local.path), ...remote };
  const files = local.files.map((file) => ({ path: file.path, ...fingerprintFile(file.path), ...(file.key ? { key: file.key, remote: file.remote } : {}) }));
  return { path: local.path, ...combined(files), files, ...remote };
}

/** What DuckDB reads for a recorded source: its file, or its files in order. */
export function sourceFiles(source: SourceRecord): string | string[] {
  return source.files ? source.files.map((file) => file.path) : source.path;
}

/**
 * Refuses to go on when the local file(s) changed since `create` (see `checkSourceUnchanged`).
 * A local pattern is expanded again: a file added, removed or renamed changes the table too.
 */
export function checkSourceFiles(source: SourceRecord, jobId: string): void {
  if (!source.files) { checkSourceUnchanged(source, jobId); return; }
  if (!source.url) {
    const now = expandLocal(source.path, source.path);
    const before = source.files.map((file) => file.path);
    if (now.join('\n') !== before.join('\n')) {
      throw new JobError(`The files matching ${source.path} changed since job ${jobId} started (${now.length} now, ${before.length} then); its answers would land on the wrong rows.`, 'Restore the files to resume, or start a new job with `evalctl create`.');
    }
  }
  for (const file of source.files) checkSourceUnchanged(file, jobId);
}

/**
 * Refuses to resume a job whose source changed: the local file(s) (the user's, or the job's own
 * copies of downloads) must hash the same, and a remote object must still have the ETag (else
 * Last-Modified and size) it had when downloaded; copies are reused, never downloaded again.
 * A URL whose credentials were masked in the record cannot be asked again and is not.
 */
export async function verifySource(source: SourceRecord, jobId: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<void> {
  checkSourceFiles(source, jobId);
  if (!source.url || source.url === '-' || source.url.includes('***')) return;
  const location = locateSource(source.url, { cwd: '/', env, s3Endpoint: source.s3_endpoint ?? null });
  let changed: string | undefined;
  if (location.kind === 's3-glob' && source.files) {
    const now = await listS3(location.target, await s3Client(location.target, env), location.target.key);
    const keys = source.files.map((file) => file.key);
    if (now.map((object) => object.key).join('\n') !== keys.join('\n')) changed = `${now.length} objects match now, ${keys.length} then`;
    else changed = now.map((object, i) => differs(source.files![i].remote!, object.meta)).find(Boolean);
  } else if (source.remote && location.kind === 'http') {
    changed = differs(source.remote, await headHttp(location.target, timeoutMs));
  } else if (source.remote && location.kind === 's3') {
    changed = differs(source.remote, await headS3(location.target, await s3Client(location.target, env)));
  }
  if (changed) {
    throw new JobError(
      `The source ${source.url} changed since job ${jobId} downloaded it (${changed}); its answers would land on the wrong rows.`,
      'Start a new job on the new data with `evalctl create`.',
    );
  }
}

/** What differs between two descriptions of an object, or undefined when they agree. */
export function differs(before: RemoteMeta, now: RemoteMeta): string | undefined {
  if (before.etag && now.etag) return before.etag === now.etag ? undefined : `ETag ${before.etag} -> ${now.etag}`;
  if (before.size !== null && now.size !== null && before.size !== now.size) return `size ${before.size} -> ${now.size} bytes`;
  if (before.last_modified && now.last_modified && before.last_modified !== now.last_modified) return `Last-Modified ${before.last_modified} -> ${now.last_modified}`;
  return undefined;
}

/** One size and fingerprint for several files: a hash over each file's name, size and hash, in order. */
function combined(files: FileRecord[]): Pick<FileRecord, 'size' | 'mtime_ms' | 'fingerprint'> {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.path}\0${file.size}\0${file.fingerprint}\n`);
  return {
    size: files.reduce((sum, file) => sum + file.size, 0),
    mtime_ms: Math.max(...files.map((file) => file.mtime_ms)),
    fingerprint: `sha256:${hash.digest('hex')}`,
  };
}
