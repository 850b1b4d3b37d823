import { JobError } from '../errors.js';
import { checkSourceUnchanged } from '../fingerprint.js';
import type { RemoteMeta } from './download.js';
import { headHttp } from './http.js';
import { locateSource } from './locate.js';
import { headS3, s3Client } from './s3.js';

/** A job's source as recorded: the local file read, and for a remote table where it came from. */
export interface SourceRecord {
  path: string;
  size: number;
  mtime_ms: number;
  /** `sha256:<hex>` of the local file's bytes. */
  fingerprint: string;
  /** The URL given to `create`, credentials masked (`-` for stdin); absent for a local file. */
  url?: string;
  /** ETag, Last-Modified and size as the remote store reported them at download. */
  remote?: RemoteMeta;
  s3_endpoint?: string | null;
}

/**
 * Refuses to resume a job whose source changed: the local file (the user's, or the job's own
 * copy of a download) must hash the same, and a remote object must still have the ETag (else
 * Last-Modified and size) it had when downloaded; the copy is reused, never downloaded again.
 * A URL whose credentials were masked in the record cannot be asked again and is not.
 */
export async function verifySource(source: SourceRecord, jobId: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<void> {
  checkSourceUnchanged(source, jobId);
  if (!source.url || source.url === '-' || !source.remote || source.url.includes('***')) return;
  const location = locateSource(source.url, { cwd: '/', env, s3Endpoint: source.s3_endpoint ?? null });
  let now: RemoteMeta;
  if (location.kind === 'http') now = await headHttp(location.target, timeoutMs);
  else if (location.kind === 's3') now = await headS3(location.target, await s3Client(location.target, env));
  else return;
  const changed = differs(source.remote, now);
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
