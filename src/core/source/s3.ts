import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { InputError } from '../errors.js';
import type { Opened, Opener, RemoteMeta } from './download.js';

/** An object in S3 or an S3-compatible store (MinIO, R2, Ceph). */
export interface S3Target {
  readonly bucket: string;
  readonly key: string;
  /** An S3-compatible endpoint (`--s3-endpoint`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`); addressed path-style. */
  readonly endpoint: string | null;
  readonly label: string;
}

/**
 * A client on the SDK's standard credential chain (environment, shared config and profiles,
 * SSO, instance roles) and region (`AWS_REGION`, else the profile's, else us-east-1).
 * Checksums only where the API requires them: S3-compatible stores often lack the newer ones.
 */
export async function s3Client(target: Pick<S3Target, 'endpoint'>, env: NodeJS.ProcessEnv): Promise<S3Client> {
  // The SDK warns on every run under Node 20 that *future* SDK versions will need Node 22; the
  // version evalctl ships works, and eight lines of warning would bury evalctl's one-line errors.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Opens the object from a byte offset; a ranged read is pinned to the first ETag (If-Match). */
export function s3Opener(target: S3Target, client: S3Client): Opener {
  return async (offset, etag, signal): Promise<Opened> => {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const ranged = offset > 0;
    try {
      const response = await client.send(new GetObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        ...(ranged ? { Range: `bytes=${offset}-`, ...(etag ? { IfMatch: etag } : {}) } : {}),
      }), { abortSignal: signal });
      const total = /\/(\d+)\s*$/.exec(response.ContentRange ?? '');
      const meta: RemoteMeta = {
        etag: response.ETag ?? null,
        last_modified: response.LastModified?.toUTCString() ?? null,
        size: total ? Number(total[1]) : response.ContentLength ?? null,
      };
      return { body: response.Body as Readable, restarted: ranged && !response.ContentRange, meta };
    } catch (error) {
      // The object changed since the first bytes: start over rather than splice two versions.
      if (ranged && statusOf(error) === 412) return s3Opener(target, client)(0, null, signal);
      throw s3Refusal(target, error) ?? error;
    }
  };
}

/** The object's ETag, Last-Modified and size now. */
export async function headS3(target: S3Target, client: S3Client): Promise<RemoteMeta> {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }));
    return { etag: head.ETag ?? null, last_modified: head.LastModified?.toUTCString() ?? null, size: head.ContentLength ?? null };
  } catch (error) {
    throw s3Refusal(target, error) ?? new InputError(`Could not reach ${target.label} to check it is unchanged: ${(error as Error).message}.`, 'Check the connection and the endpoint, then resume again.', error);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** One line for the refusals retrying cannot fix; undefined for anything else (network trouble). */
export function s3Refusal(target: S3Target, error: unknown): InputError | undefined {
  const name = (error as { name?: string })?.name ?? '';
  const status = statusOf(error);
  const where = target.endpoint ? ` (endpoint ${target.endpoint})` : '';
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return new InputError(`Could not read ${target.label}: no AWS credentials found.`, 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run `aws configure`.', error);
  }
  if (name === 'NoSuchBucket') return new InputError(`Could not read ${target.label}: bucket "${target.bucket}" does not exist${where}.`, 'Check the bucket name and the endpoint.', error);
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return new InputError(`Could not read ${target.label}: no such object${where}.`, 'Check the key; `aws s3 ls` lists what is there.', error);
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 401 || status === 403) {
    return new InputError(`Could not read ${target.label}: access denied (${status ?? name})${where}.`, 'Check the credentials, the profile and the bucket policy.', error);
  }
  if (status !== undefined && status >= 400 && status < 500) return new InputError(`Could not read ${target.label}: the store answered ${status} ${name}${where}.`, undefined, error);
  return undefined;
}

/** One object of a listing. */
export interface S3Object {
  readonly key: string;
  readonly meta: RemoteMeta;
}

/**
 * The objects whose keys match `pattern` (see `patternRegExp`), sorted by key: listed from the
 * pattern's fixed prefix, page by page.
 */
export async function listS3(target: S3Target, client: S3Client, pattern: string): Promise<S3Object[]> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const { fixedPrefix, patternRegExp, byCodePoint } = await import('./glob.js');
  const regexp = patternRegExp(pattern);
  const found: S3Object[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix: fixedPrefix(pattern), ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (!object.Key || !regexp.test(object.Key) || object.Key.endsWith('/')) continue;
        found.push({ key: object.Key, meta: { etag: object.ETag ?? null, last_modified: object.LastModified?.toUTCString() ?? null, size: object.Size ?? null } });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw s3Refusal(target, error) ?? error;
  }
  return found.sort((a, b) => byCodePoint(a.key, b.key));
}
