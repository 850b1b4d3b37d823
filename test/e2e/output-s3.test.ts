import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { duckdb } from '../helpers/table.js';
import { jobIds, storedRecord } from '../helpers/jobs.js';
import { startS3, type S3Server } from '../helpers/s3-server.js';

// `-o s3://bucket/key`: the finished output is uploaded (multipart past 8 MiB) to s3rver and is
// byte for byte the file a local -o writes.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { dir, cleanup } = tempDir('evalctl-output-s3-');
const home = join(dir, 'home');
let s3: S3Server;
let client: S3Client;
const create = (output: string, source = 'data.csv', extra: Record<string, string> = {}) =>
  runCli(['create', source, '-p', 'Echo {id}: {text}', '-m', 'echo', '-o', output], { cwd: dir, env: { EVALCTL_HOME: home, ...s3.env, ...extra } });

beforeAll(async () => {
  s3 = await startS3(['results']);
  client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await duckdb(`COPY (SELECT i AS id, 'row ' || i AS text FROM range(50) t(i)) TO '${join(dir, 'data.csv')}' (FORMAT csv, HEADER true)`);
  // ~12 MB of output: more than one 8 MiB part.
  await duckdb(`COPY (SELECT i AS id, repeat(chr(97 + (i % 26)::INTEGER), 200) || i AS text FROM range(30000) t(i)) TO '${join(dir, 'big.csv')}' (FORMAT csv, HEADER true)`);
});
afterAll(async () => { client?.destroy(); await s3?.close(); cleanup(); });

async function object(key: string): Promise<{ body: Buffer }> {
  const response = await client.send(new GetObjectCommand({ Bucket: 'results', Key: key }));
  return { body: Buffer.from(await response.Body!.transformToByteArray()) };
}

describe('-o s3:// uploads the finished file', () => {
  it.each([
    ['a small CSV in one request', 'data.csv', 'runs/small.csv', 0],
    ['a large CSV in parts', 'big.csv', 'runs/big.csv', 2],
    ['parquet', 'data.csv', 'runs/small.parquet', 0],
  ])('%s', async (_name, source, key, parts) => {
    const local = `local-${key.replace(/\W/g, '-')}.${key.split('.').pop()}`;
    expect((await create(local, source)).code).toBe(0);
    const result = await create(`s3://results/${key}`, source);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`output     s3://results/${key}`);
    const uploaded = await object(key);
    const localBytes = readFileSync(join(dir, local));
    expect(uploaded.body.equals(localBytes)).toBe(true);
    expect(s3.requests.filter((request) => request.startsWith(`PUT /results/${key}?`) && request.includes('partNumber='))).toHaveLength(parts);
  });

  it('an existing object is refused in one line before anything is sent, and replaced with --overwrite', async () => {
    const key = 'runs/existing.csv';
    await s3.put('results', key, 'keep me\n');
    const seen = s3.requests.length;
    const refused = await create(`s3://results/${key}`);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr.split('\n').filter((l) => l.startsWith('evalctl:'))).toEqual([`evalctl: The output s3://results/${key} already exists; --overwrite replaces it.`]);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(s3.requests.slice(seen)).toEqual([`HEAD /results/${key}`]);
    expect((await object(key)).body.toString()).toBe('keep me\n');

    const replaced = await runCli(['create', 'data.csv', '-p', 'Echo {id}: {text}', '-m', 'echo', '-o', `s3://results/${key}`, '--overwrite'], { cwd: dir, env: { EVALCTL_HOME: home, ...s3.env } });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect((await object(key)).body.toString()).toMatch(/^id,text,prediction/);
  });

  it('a refused upload is one line, and the file stays in the job folder', async () => {
    const result = await create('s3://no-such-bucket/out.csv');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^evalctl: Could not upload the output to s3:\/\/no-such-bucket\/out\.csv: bucket "no-such-bucket" does not exist \(endpoint http:\/\/127\.0\.0\.1:\d+\); it is kept at .*output\.csv\.$/m);
    const id = jobIds(home).map((j) => storedRecord(home, j)).sort((a, b) => b.created_at.localeCompare(a.created_at))[0].id;
    expect(readFileSync(join(home, 'jobs', id, 'output.csv'), 'utf8')).toContain('prediction');
  });
});
