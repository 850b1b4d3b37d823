import { createReadStream, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { s3Client, s3Refusal, type S3Target } from './s3.js';

/** Parts of a multipart upload: S3's minimum is 5 MiB; 8 MiB, four at a time, keeps memory ~32 MiB. */
const PART_SIZE = 8 * 1024 * 1024;

/** True for an output that is an S3 URL (`-o s3://bucket/key`). */
export function isS3Output(output: string): boolean {
  return /^s3:\/\//i.test(output);
}

/** `s3://bucket/key` as an upload target; `endpoint` as for sources. */
export function s3OutputTarget(output: string, endpoint: string | null): S3Target {
  const match = /^s3:\/\/([^/]+)\/(.+)$/i.exec(output);
  if (!match || match[2].endsWith('/')) throw new InputError(`${output} is not an S3 object URL.`, 'Write it as s3://bucket/key.parquet.');
  return { bucket: match[1], key: match[2], endpoint, label: output };
}

/**
 * Refuses an `-o s3://` object that already exists, as a local output is refused, unless
 * `--overwrite`: asked with a HEAD request before anything is sent. A store that will not say
 * (403: credentials that may write but not read) is refused too, since the object might be there.
 */
export async function checkS3OutputFree(output: string, endpoint: string | null, env: NodeJS.ProcessEnv): Promise<void> {
  const target = s3OutputTarget(output, endpoint);
  const client = await s3Client(target, env);
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    await client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }));
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    // No such object (or bucket: the upload names that): free.
    if (status === 404 || (error as { name?: string })?.name === 'NotFound') return;
    if (status === 401 || status === 403) {
      throw new InputError(`Could not check whether the output ${output} already exists: access denied (${status}).`, 'Pass --overwrite to write it without checking, or use credentials that may read it.', error);
    }
    throw s3Refusal(target, error) ?? new InputError(`Could not reach ${output} to check whether it exists: ${(error as Error).message}.`, 'Check the connection and the endpoint.', error);
  } finally {
    client.destroy();
  }
  throw new InputError(`The output ${output} already exists; --overwrite replaces it.`, 'Pass --overwrite to replace it, or choose another -o key.');
}

/**
 * Uploads a finished output file to S3 (multipart past one part, through the SDK's `Upload`),
 * streamed from disk. A refusal is one line naming the URL, and the file stays where it is.
 */
export async function uploadFile(file: string, target: S3Target, env: NodeJS.ProcessEnv): Promise<{ etag: string | null; size: number }> {
  const client = await s3Client(target, env);
  const { Upload } = await import('@aws-sdk/lib-storage');
  try {
    const upload = new Upload({ client, params: { Bucket: target.bucket, Key: target.key, Body: createReadStream(file) }, partSize: PART_SIZE, queueSize: 4 });
    const result = await upload.done();
    return { etag: result.ETag ?? null, size: statSync(file).size };
  } catch (error) {
    const refusal = s3Refusal(target, error);
    const why = refusal ? refusal.message.slice(`Could not read ${target.label}: `.length).replace(/\.$/, '') : (error as Error).message;
    throw new InputError(`Could not upload the output to ${target.label}: ${why}; it is kept at ${file}.`, 'Fix the problem and run `evalctl resume` to upload it again.', error);
  } finally {
    client.destroy();
  }
}

/** Uploads the output of a job whose `-o` is an s3:// URL, from its folder (see `outputFileFor`). */
export async function uploadOutput(job: { output: string; settings: { output_format: string; s3_endpoint?: string | null } }, jobDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const { outputFileFor } = await import('./emit.js');
  const endpoint = job.settings.s3_endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || null;
  await uploadFile(outputFileFor(job.output, job.settings.output_format, jobDir), s3OutputTarget(job.output, endpoint), env);
}
