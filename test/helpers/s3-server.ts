import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';

export interface S3Server {
  readonly endpoint: string;
  /** Environment for the CLI: s3rver's fixed credentials, this endpoint, and no other AWS source. */
  readonly env: Record<string, string>;
  /** Every request seen, as `METHOD /path?query`. */
  readonly requests: string[];
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

/** s3rver (a real S3-compatible server) on 127.0.0.1, with `buckets` created empty. */
export async function startS3(buckets: string[]): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'evalctl-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = (await server.run()) as AddressInfo;
  const requests: string[] = [];
  server.httpServer.on('request', (request: { method: string; url: string }) => requests.push(`${request.method} ${request.url}`));
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    // Nothing from this machine's AWS setup, and never the instance metadata address.
    AWS_CONFIG_FILE: join(directory, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(directory, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  return {
    endpoint,
    env,
    requests,
    put: async (bucket, key, body) => { await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })); },
    close: async () => { client.destroy(); await server.close(); rmSync(directory, { recursive: true, force: true }); },
  };
}
