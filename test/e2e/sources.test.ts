import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli, tempDir } from '../helpers/cli.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { jobIds, PROMPT, reviewsCsv, storedRecord } from '../helpers/jobs.js';
import { startS3, type S3Server } from '../helpers/s3-server.js';
import { duckdb } from '../helpers/table.js';

// Remote and piped sources end to end: the real CLI reads a table over http from a local file
// server, from s3rver through the AWS SDK, from hf:// through a local HF_ENDPOINT, and from
// stdin, and must write exactly what it writes for the local file.

const ROWS = 300;
const { dir, cleanup } = tempDir('evalctl-sources-');
let files: FileServer;
let s3: S3Server;
let csv: Buffer;
let expected: Buffer;
const home = join(dir, 'home');
const env = (extra: Record<string, string> = {}) => ({ EVALCTL_HOME: home, ...s3.env, ...extra });
const create = (source: string, output: string, extra: string[] = [], options: { env?: Record<string, string>; input?: string } = {}) =>
  runCli(['create', source, '-p', PROMPT, '-m', 'echo', '-o', output, ...extra], { cwd: dir, env: options.env ?? env(), input: options.input });

beforeAll(async () => {
  [files, s3] = await Promise.all([startFileServer(), startS3(['evals'])]);
  csv = readFileSync(await reviewsCsv(dir, 'data.csv', ROWS));
  files.serve('/data.csv', { body: csv });
  files.serve('/moved.csv', { body: csv, redirect: '/data.csv' });
  files.serve('/basic.csv', { body: csv, authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` });
  files.serve('/datasets/acme/reviews/resolve/main/splits/data.csv', { body: csv, authorization: 'Bearer hf_test_token' });
  await s3.put('evals', 'splits/data.csv', csv);
  const local = await create('data.csv', 'local.csv');
  expect(local.code, local.stderr).toBe(0);
  expected = readFileSync(join(dir, 'local.csv'));
});
afterAll(async () => { await Promise.all([files?.close(), s3?.close()]); cleanup(); });

describe('the same evaluation from anywhere gives the same output', () => {
  const cases: [string, () => string, Record<string, string>?][] = [
    ['http', () => `${files.url}/data.csv`],
    ['http after a redirect', () => `${files.url}/moved.csv`],
    ['http with user info sent as Basic auth', () => `http://alice:pw@${files.url.slice(7)}/basic.csv`],
    ['s3 on s3rver', () => 's3://evals/splits/data.csv'],
    ['hf through HF_ENDPOINT', () => 'hf://datasets/acme/reviews/splits/data.csv', { HF_TOKEN: 'hf_test_token' }],
  ];
  it.each(cases)('%s', async (name, source, extra = {}) => {
    const output = `out-${name.replace(/\W+/g, '-')}.csv`;
    const result = await create(source(), output, [], { env: env({ ...extra, HF_ENDPOINT: files.url }) });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, output)).equals(expected)).toBe(true);
    const job = storedRecord(home, latestJob());
    expect(job.source.url).toBe(source().replace('alice:pw@', '***:***@'));
    expect(job.source.path).toBe(join(home, 'jobs', job.id, 'source', source().split('/').pop()!));
    expect(job.source.remote.etag).toMatch(/^"/);
    expect(job.source.remote.size).toBe(csv.length);
    expect(readFileSync(job.source.path).equals(csv)).toBe(true);
  });

  it('stdin, sniffed as CSV and spooled into the job folder', async () => {
    const result = await create('-', 'out-stdin.csv', [], { input: csv.toString('utf8') });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out-stdin.csv')).equals(expected)).toBe(true);
    const job = storedRecord(home, latestJob());
    expect(job.source.url).toBe('-');
    expect(job.settings.input_format).toBe('csv');
  });
});

describe('stdin in every table format, sniffed, writes what the file itself gives', () => {
  it.each(['csv', 'tsv', 'jsonl', 'parquet'])('%s', async (format) => {
    const file = `table.${format}`;
    const copy = format === 'csv' ? `(FORMAT csv, HEADER true)` : format === 'tsv' ? `(FORMAT csv, HEADER true, DELIMITER '\t')` : format === 'jsonl' ? '(FORMAT json)' : '(FORMAT parquet)';
    await duckdb(`COPY (SELECT * FROM read_csv('${join(dir, 'data.csv')}', all_varchar = true)) TO '${join(dir, file)}' ${copy}`);
    const fromFile = await create(file, `from-file.${format}.jsonl`);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const piped = await shell(`cat ${file} | node ${JSON.stringify(BIN)} create - -p ${JSON.stringify(PROMPT)} -m echo -o from-stdin.${format}.jsonl`);
    expect(piped.code, piped.stderr).toBe(0);
    expect(readFileSync(join(dir, `from-stdin.${format}.jsonl`), 'utf8')).toBe(readFileSync(join(dir, `from-file.${format}.jsonl`), 'utf8'));
    expect(storedRecord(home, latestJob()).settings.input_format).toBe(format);
  });
});

describe('a large download shows its progress on stderr', () => {
  it('lines of MB received, of the size the server gave, ending at 100%', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i},review ${i} ${'x'.repeat(80)}`);
    const body = Buffer.from(`id,review\n${rows.join('\n')}\n`);
    files.serve('/large.csv', { body });
    const result = await create(`${files.url}/large.csv`, 'never.csv', ['--dry-run'], { env: env({ EVALCTL_PROGRESS_INTERVAL_MS: '1' }) });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('downloading: '));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.at(-1)).toBe(`downloading: ${(body.length / 1e6).toFixed(1)} MB of ${(body.length / 1e6).toFixed(1)} MB (100%)`);
  });
});

describe('an interrupted download', () => {
  it.each([
    ['continues with Range where the server allows', false, ['bytes=1000-', 'bytes=2000-']],
    ['starts again where the server ignores Range', true, ['bytes=1000-', 'bytes=1000-']],
  ] as const)('%s', async (name, noRanges, ranges) => {
    const path = `/cut-${noRanges ? 'norange' : 'range'}.csv`;
    files.serve(path, { body: csv, cutAfter: 1000, cuts: 2, noRanges });
    const result = await create(`${files.url}${path}`, `out${path.replace('/', '-')}`);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, `out${path.replace('/', '-')}`)).equals(expected)).toBe(true);
    const gets = files.requests.filter((r) => r.path === path && r.method === 'GET');
    expect(gets.map((r) => r.headers.range)).toEqual([undefined, ...ranges]);
    // Every ranged request is pinned to the first response's ETag, so two versions are never spliced.
    expect(new Set(gets.slice(1).map((r) => r.headers['if-range']))).toEqual(new Set([`"${etagOf(csv)}"`]));
  });
});

describe('a source that cannot be read gives one line, credentials masked, and leaves no job', () => {
  const cases: [string, () => string, RegExp, Record<string, string>?, string[]?][] = [
    ['404 with a token in the query', () => `${files.url}/missing.csv?token=tok-Sekr1t-1&x=1`, /^evalctl: Could not download http:\/\/127\.0\.0\.1:\d+\/missing\.csv\?token=\*\*\*&x=1: 404 Not Found \(no such file\)\.$/m],
    ['401 with user info', () => `http://alice:pw-Sekr1t-2@${files.url.slice(7)}/private.csv`, /^evalctl: Could not download http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/private\.csv: 401 Unauthorized \(access denied\)\.$/m],
    ['403 on a presigned URL', () => `${files.url}/forbidden.csv?X-Amz-Credential=AKIA-Sekr1t-3&X-Amz-Signature=Sekr1t-4`, /^evalctl: Could not download .*X-Amz-Credential=\*\*\*&X-Amz-Signature=\*\*\*: 403 Forbidden \(access denied\)\.$/m],
    ['a server that stalls', () => `${files.url}/stall.csv`, /^evalctl: Could not download http:\/\/127\.0\.0\.1:\d+\/stall\.csv: no data for 1 s \(gave up after 5 tries\)\.$/m, {}, ['--timeout', '1']],
    ['a closed port', () => `http://127.0.0.1:${closedPort}/data.csv`, /^evalctl: Could not download http:\/\/127\.0\.0\.1:\d+\/data\.csv: connection refused\.$/m],
    ['a gated hf:// dataset without HF_TOKEN', () => 'hf://datasets/acme/reviews/splits/data.csv', /^evalctl: Could not download hf:\/\/datasets\/acme\/reviews\/splits\/data\.csv: 401 Unauthorized \(access denied\)\.\n  A gated or private dataset: set HF_TOKEN/m],
    ['a missing s3 object', () => 's3://evals/nope.csv', /^evalctl: Could not read s3:\/\/evals\/nope\.csv: no such object \(endpoint http:\/\/127\.0\.0\.1:\d+\)\.$/m],
    ['a missing s3 bucket', () => 's3://nobucket/data.csv', /^evalctl: Could not read s3:\/\/nobucket\/data\.csv: bucket "nobucket" does not exist/m],
    ['s3 without credentials', () => 's3://evals/splits/data.csv', /^evalctl: Could not read s3:\/\/evals\/splits\/data\.csv: no AWS credentials found\.$/m, { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' }],
  ];
  let closedPort = 0;
  beforeAll(async () => {
    closedPort = await freePort();
    files.serve('/private.csv', { body: csv, authorization: 'Basic nobody' });
    files.serve('/forbidden.csv', { body: csv, status: 403 });
    files.serve('/stall.csv', { body: csv, stall: true });
  });
  it.each(cases)('%s', async (_name, source, line, extra = {}, flags = []) => {
    const before = jobIds(home).length;
    const result = await create(source(), 'never.csv', flags, { env: env({ HF_ENDPOINT: files.url, ...extra }) });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(line);
    expect(result.stderr).not.toMatch(/Sekr1t|\n\s+at /);
    expect(jobIds(home)).toHaveLength(before);
  });

  it('an unknown scheme lists the supported ones (exit 2)', async () => {
    const result = await create('ftp://bob:Sekr1t@host/data.csv', 'never.csv');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^evalctl: Cannot read ftp:\/\/ sources \(ftp:\/\/\*\*\*:\*\*\*@host\/data\.csv\)\.\n  Give a local path, - \(stdin\), http:\/\/, https:\/\/, s3:\/\/bucket\/key, hf:\/\/datasets\/<owner>\/<name>\/<path>, file:\/\/\.\n$/);
  });
});

describe('resume of a job on a remote source', () => {
  it.each([
    ['reuses the downloaded copy when the remote is unchanged', false],
    ['refuses when the remote changed (ETag)', true],
  ] as const)('%s', async (_name, change) => {
    const path = `/resume-${change}.csv`;
    files.serve(path, { body: csv });
    const first = await create(`${files.url}${path}`, `out-resume-${change}.csv`);
    expect(first.code, first.stderr).toBe(0);
    const id = latestJob();
    const record = storedRecord(home, id);
    writeFileSync(join(home, 'jobs', id, 'job.json'), JSON.stringify({ ...record, status: 'cancelled', stop_reason: 'cancelled' }));
    if (change) files.serve(path, { body: Buffer.concat([csv, Buffer.from(`${ROWS},review ${ROWS}\n`)]) });
    const getsBefore = files.requests.filter((r) => r.path === path && r.method === 'GET').length;
    const result = await runCli(['resume', id], { cwd: dir, env: env() });
    expect(files.requests.filter((r) => r.path === path && r.method === 'GET')).toHaveLength(getsBefore);
    expect(files.requests.filter((r) => r.path === path && r.method === 'HEAD')).toHaveLength(1);
    if (change) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^evalctl: The source ${files.url}${path} changed since job ${id} downloaded it \\(ETag "\\w+" -> "\\w+"\\)`, 'm'));
      expect(storedRecord(home, id).status).toBe('cancelled');
    } else {
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(join(dir, `out-resume-${change}.csv`)).equals(expected)).toBe(true);
    }
  });
});

describe('pipes', () => {
  it.each([
    ['csv', (out: string) => out.split('\n').filter(Boolean).length, ROWS + 1],
    ['jsonl', (out: string) => out.split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((row) => row.prediction === `Classify: review ${row.id}`).length, ROWS],
  ] as const)('cat data.csv | evalctl create - -o - --output-format %s | another program', async (format, count, rows) => {
    const script = `cat data.csv | node ${JSON.stringify(BIN)} create - -p ${JSON.stringify(PROMPT)} -m echo -o - --output-format ${format} | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>process.stdout.write(s))"`;
    const result = await shell(script);
    expect(result.code, result.stderr).toBe(0);
    expect(count(result.stdout)).toBe(rows);
    expect(result.stderr).toContain('output     -');
  });

  it('a reader that stops early ends the run quietly, the output kept in the job folder', async () => {
    await reviewsCsv(dir, 'big.csv', 20_000);
    const child = spawn(process.execPath, [BIN, 'create', 'big.csv', '-p', PROMPT, '-m', 'echo', '-o', '-'], { cwd: dir, env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/stdout was closed before the whole table was read; it is kept in .*output\.csv\./);
    expect(stderr).not.toMatch(/\n\s+at |EPIPE/);
    expect(storedRecord(home, latestJob()).status).toBe('completed');
  });

  it.each([['--json'], ['--detach']])('-o - with %s is a usage error', async (flag) => {
    const result = await create('data.csv', '-', [flag]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^evalctl: -o - writes the table to stdout, so it cannot go with ${flag}\\.`));
  });
});

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function etagOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

function latestJob(): string {
  const records = jobIds(home).map((id) => storedRecord(home, id)).sort((a, b) => b.created_at.localeCompare(a.created_at));
  return records[0].id;
}

function shell(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', script], { cwd: dir, env: cleanEnv(env()) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
