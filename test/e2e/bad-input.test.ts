// Bad input, tried as a new user would: every mistake must stop the CLI with exit 1 (input,
// config, auth, server) or 2 (the command line itself), ONE `evalctl:` line naming the culprit
// plus at most one hint, no stack trace, nothing on stdout, no key anywhere, and no file touched.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { startS3, type S3Server } from '../helpers/s3-server.js';
import { duckdb } from '../helpers/table.js';
import { startStub, type Stub, type StubOptions } from '../stub/server.js';

const KEY = 'sk-test-badinput-0123456789abcdef';
const P = ['-p', 'Classify: {review}'];
/** Permissions are not enforced for root, so the read-only directory case cannot fail there. */
const isRoot = process.getuid?.() === 0;

interface Case {
  name: string;
  args: string[];
  code: 1 | 2;
  /** Every string must appear in the `evalctl:` line. */
  culprit: string[];
  env?: Record<string, string | undefined>;
  /** A subdirectory of the fixtures to run in (for .evalrc cases). */
  cwd?: string;
  /** Force this status from the stub; the run must stop after a few requests. */
  status?: number;
  /** Make the stub answer 200 with this unusable body. */
  malformed?: StubOptions['malformed'];
  /** The run starts (a job is created) before it fails: allow the `Job <id>: N rows` line. */
  starts?: boolean;
  maxSeconds?: number;
  skip?: boolean;
  /** Run against the s3rver (its credentials and endpoint in the environment). */
  s3?: boolean;
}

const cases: Case[] = [
  // The source file
  { name: 'missing file', args: ['create', 'missing.csv', ...P], code: 1, culprit: ['missing.csv', 'not found'] },
  { name: 'empty file (0 bytes)', args: ['create', 'empty.csv', ...P], code: 1, culprit: ['empty.csv', '0 bytes'] },
  { name: 'header-only CSV', args: ['create', 'header-only.csv', ...P], code: 1, culprit: ['header-only.csv', 'no rows'] },
  { name: 'truncated parquet', args: ['create', 'truncated.parquet', ...P], code: 1, culprit: ['truncated.parquet', 'incomplete'] },
  { name: 'binary file named .csv', args: ['create', 'binary.csv', ...P], code: 1, culprit: ['binary.csv', 'binary data'] },
  { name: 'parquet named .csv', args: ['create', 'parquet-data.csv', ...P], code: 1, culprit: ['parquet-data.csv', 'parquet file'] },
  { name: 'CSV named .parquet', args: ['create', 'csv-data.parquet', ...P], code: 1, culprit: ['csv-data.parquet', 'not a parquet file', 'CSV'] },
  // Hostile text: encodings, over-long lines, ragged rows
  { name: 'Latin-1 CSV', args: ['create', 'latin1.csv', ...P], code: 1, culprit: ['latin1.csv', 'not UTF-8', 'line 2', 'try --encoding latin-1'] },
  { name: 'Latin-1 byte past the sniffer\'s sample', args: ['create', 'latin1-late.csv', ...P], code: 1, culprit: ['latin1-late.csv', 'not UTF-8', 'line 30002', '--encoding latin-1'] },
  { name: 'Latin-1 JSON lines', args: ['create', 'latin1.jsonl', ...P], code: 1, culprit: ['latin1.jsonl', 'not UTF-8', 'line 2', 'JSONL must be UTF-8'] },
  { name: 'UTF-16 CSV with a BOM', args: ['create', 'utf16.csv', ...P], code: 1, culprit: ['utf16.csv', 'UTF-16', 'try --encoding utf-16'] },
  { name: 'UTF-16 CSV without a BOM', args: ['create', 'utf16-nobom.csv', ...P], code: 1, culprit: ['utf16-nobom.csv', 'UTF-16', 'try --encoding utf-16'] },
  { name: 'UTF-16 big-endian CSV', args: ['create', 'utf16be.csv', ...P, '--encoding', 'utf-16'], code: 1, culprit: ['utf16be.csv', 'big-endian'] },
  { name: '--encoding on a parquet source', args: ['create', 'full.parquet', ...P, '--encoding', 'latin-1'], code: 2, culprit: ['--encoding latin-1', 'CSV and TSV', 'full.parquet'] },
  { name: 'unknown --encoding', args: ['create', 'data.csv', ...P, '--encoding', 'ebcdic'], code: 2, culprit: ['--encoding', '"ebcdic"', 'utf-8, utf-16, latin-1'] },
  { name: 'a line over DuckDB\'s 2 MB line limit', args: ['create', 'long-line.csv', ...P], code: 1, culprit: ['long-line.csv', 'line 3', 'limit of 2,000,000 bytes'] },
  { name: 'a row with a field too many (early)', args: ['create', 'ragged-early.csv', ...P], code: 1, culprit: ['ragged-early.csv', 'line 3 has 3 fields, but the header has 2'] },
  { name: 'a row with a field too few (in the sniffer\'s sample)', args: ['create', 'ragged-sample.csv', ...P], code: 1, culprit: ['ragged-sample.csv', 'line 5002 has 2 fields, but the header has 3'] },
  { name: 'a row with a field too many (past the sniffer\'s sample)', args: ['create', 'ragged-late.csv', ...P], code: 1, culprit: ['ragged-late.csv', 'line 30002 has 3 fields, but the header has 2'] },
  // A directory of tables is one source (test/e2e/sources-many.test.ts); one without any is not.
  { name: 'directory without tables as source', args: ['create', 'no-tables', ...P], code: 1, culprit: ['no-tables', 'directory'] },
  { name: 'unknown extension (.xlsx)', args: ['create', 'book.xlsx', ...P], code: 2, culprit: ['book.xlsx', '.xlsx'] },
  // The prompt
  { name: 'placeholder typo', args: ['create', 'data.csv', '-p', 'Classify: {reveiw}'], code: 1, culprit: ['"reveiw"', 'data.csv', 'Did you mean "review"?'] },
  { name: 'empty template', args: ['create', 'data.csv', '--prompt', ''], code: 2, culprit: ['--prompt', 'empty'] },
  { name: 'unclosed {', args: ['create', 'data.csv', '-p', 'Classify: {review'], code: 2, culprit: ['unclosed "{"', 'character 11'] },
  { name: 'no prompt', args: ['create', 'data.csv'], code: 2, culprit: ['No prompt', '--prompt'] },
  { name: '--prompt-file does not exist', args: ['create', 'data.csv', '--prompt-file', 'nope.txt'], code: 1, culprit: ['nope.txt', 'does not exist'] },
  { name: '--prompt-file /dev/zero', args: ['create', 'data.csv', '--prompt-file', '/dev/zero'], code: 1, culprit: ['/dev/zero', '--prompt-file', 'binary data'], maxSeconds: 5 },
  { name: '--prompt-file a binary file', args: ['create', 'data.csv', '--prompt-file', 'binary.csv'], code: 1, culprit: ['binary.csv', '--prompt-file', 'binary data'] },
  { name: '--prompt-file over 1 MB', args: ['create', 'data.csv', '--prompt-file', 'huge-prompt.txt'], code: 1, culprit: ['huge-prompt.txt', 'larger than 1 MB'], maxSeconds: 5 },
  { name: '--prompt-file not UTF-8', args: ['create', 'data.csv', '--prompt-file', 'latin1-prompt.txt'], code: 1, culprit: ['latin1-prompt.txt', 'not UTF-8'] },
  // Model, key and server
  { name: 'unknown model, no base URL', args: ['create', 'data.csv', ...P, '-m', 'llama3'], code: 2, culprit: ['"llama3"'], env: { OPENAI_BASE_URL: undefined } },
  { name: 'credentials in the base URL', args: ['create', 'data.csv', ...P, '--base-url', 'http://user:sk-secret-in-url@127.0.0.1:9/v1'], code: 2, culprit: ['credentials', 'base URL'] },
  { name: 'a key in the base URL query string', args: ['create', 'data.csv', ...P, '--base-url', `http://127.0.0.1:9/v1?api-key=${KEY}`], code: 2, culprit: ['api-key=***', 'query string'] },
  { name: 'a key given as --model', args: ['create', 'data.csv', ...P, '-m', KEY], code: 2, culprit: ['--model looks like an API key'] },
  { name: 'a key given as --name', args: ['create', 'data.csv', ...P, '--name', KEY], code: 2, culprit: ['--name "***"', 'looks like an API key'] },
  { name: 'a key in --commit-message', args: ['create', 'data.csv', ...P, '--commit', '--commit-message', `results ${KEY}`], code: 2, culprit: ['--commit-message "results ***"', 'looks like an API key'] },
  { name: 'a key given as --target-branch', args: ['create', 'data.csv', ...P, '--target-branch', KEY], code: 2, culprit: ['--target-branch', 'looks like an API key'] },
  { name: 'a key given as an unknown option', args: ['create', 'data.csv', ...P, `--api-key=${KEY}`], code: 2, culprit: ["'--api-key=***'"] },
  { name: 'embedding model asked for text', args: ['create', 'data.csv', ...P, '-m', 'text-embedding-3-small', '--output-type', 'text'], code: 2, culprit: ['text-embedding-3-small', 'embedding'] },
  { name: 'embeddings from Anthropic', args: ['create', 'data.csv', ...P, '-m', 'claude-haiku-4-5', '--output-type', 'embeddings'], code: 2, culprit: ['claude-haiku-4-5', 'embeddings'] },
  { name: 'video to OpenAI\'s own API', args: ['create', 'data.csv', '-p', 'What is in {review}?', '--video-column', 'review', '-m', 'gpt-4o'], code: 2, culprit: ['--input-type video', 'OpenAI\'s API does not take video (gpt-4o)'], env: { OPENAI_BASE_URL: undefined } },
  { name: 'video to Anthropic', args: ['create', 'data.csv', '-p', 'What is in {review}?', '--video-column', 'review', '-m', 'claude-haiku-4-5'], code: 2, culprit: ['claude-haiku-4-5', 'Anthropic\'s API does not take video'], env: { ANTHROPIC_API_KEY: KEY } },
  { name: 'images generated by Anthropic', args: ['create', 'data.csv', ...P, '-m', 'claude-haiku-4-5', '--output-type', 'image'], code: 2, culprit: ['claude-haiku-4-5', 'cannot generate images', 'Anthropic'] },
  { name: 'image generation with a schema', args: ['create', 'data.csv', ...P, '-m', 'gpt-image-1', '--schema', 'x: string'], code: 2, culprit: ['--output-type image', '--schema'] },
  // A base URL that is loopback (the stub) but not one evalctl treats as local, so a key is needed.
  { name: 'no API key', args: ['create', 'data.csv', ...P, '-m', 'gpt-4o-mini'], code: 1, culprit: ['OPENAI_API_KEY', 'not set'], env: { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: 'MAPPED' } },
  { name: 'bad base URL', args: ['create', 'data.csv', ...P, '--base-url', 'notaurl'], code: 2, culprit: ['"notaurl"', 'not a valid URL'] },
  { name: 'unreachable server', args: ['create', 'data.csv', ...P, '--base-url', 'http://127.0.0.1:9/v1'], code: 1, culprit: ['Cannot reach', 'http://127.0.0.1:9/v1'], starts: true, maxSeconds: 15 },
  { name: 'bad key (401)', args: ['create', 'many.csv', ...P], code: 1, culprit: ['refused the API key', '401'], status: 401, starts: true },
  { name: 'unknown model (404)', args: ['create', 'many.csv', ...P], code: 1, culprit: ['no model "gpt-4o-mini"', '404'], status: 404, starts: true },
  { name: 'bad key (401, Anthropic)', args: ['create', 'many.csv', ...P, '-m', 'claude-haiku-4-5'], code: 1, culprit: ['refused the API key', '401'], status: 401, starts: true, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: 'ANTHROPIC' } },
  // The output
  { name: 'output directory missing', args: ['create', 'data.csv', ...P, '-o', 'no-such-dir/out.csv'], code: 1, culprit: ['no-such-dir', 'does not exist'] },
  { name: 'output directory not writable', args: ['create', 'data.csv', ...P, '-o', 'read-only/out.csv'], code: 1, culprit: ['read-only', 'permission denied'], skip: isRoot },
  { name: 'output directory is a file', args: ['create', 'data.csv', ...P, '-o', 'data.csv/out.csv'], code: 1, culprit: ['data.csv', 'not a directory'] },
  { name: 'output = input', args: ['create', 'data.csv', ...P, '-o', './data.csv'], code: 2, culprit: ['./data.csv', 'is the input file'] },
  { name: 'existing output, no --overwrite', args: ['create', 'data.csv', ...P, '-o', 'existing.csv'], code: 1, culprit: ['existing.csv', 'already exists'] },
  { name: 'existing S3 output, no --overwrite', args: ['create', 'data.csv', ...P, '-o', 's3://results/existing.csv'], code: 1, culprit: ['s3://results/existing.csv', 'already exists', '--overwrite'], s3: true },
  { name: 'target column already in input', args: ['create', 'data.csv', ...P, '-t', 'label'], code: 1, culprit: ['"label"', 'already exists'] },
  // Flag values
  { name: 'negative concurrency', args: ['create', 'data.csv', ...P, '-c', '-1'], code: 2, culprit: ['--concurrency', '"-1"'] },
  { name: 'zero concurrency', args: ['create', 'data.csv', ...P, '-c', '0'], code: 2, culprit: ['--concurrency', '"0"'] },
  { name: 'non-numeric concurrency', args: ['create', 'data.csv', ...P, '-c', 'abc'], code: 2, culprit: ['--concurrency', '"abc"'] },
  { name: 'non-numeric --max-tokens', args: ['create', 'data.csv', ...P, '--max-tokens', 'lots'], code: 2, culprit: ['--max-tokens', '"lots"'] },
  { name: '--temperature 5', args: ['create', 'data.csv', ...P, '--temperature', '5'], code: 2, culprit: ['--temperature', '"5"', '0 to 2'] },
  { name: 'unknown flag', args: ['create', 'data.csv', '--promt', 'Classify: {review}'], code: 2, culprit: ["'--promt'", 'Did you mean --prompt?'] },
  { name: '--sample-seed without --sample', args: ['create', 'data.csv', ...P, '--sample-seed', '7'], code: 2, culprit: ['--sample-seed', '--sample'] },
  { name: 'unknown command', args: ['creat', 'data.csv'], code: 2, culprit: ["'creat'", 'Did you mean create?'] },
  { name: 'missing source argument', args: ['create', ...P], code: 2, culprit: ['create needs a source file.'] },
  // Scoring
  { name: 'a judge gate on a table never judged', args: ['score', 'data.csv', '-t', 'review', '--fail-under', 'judge_score=3'], code: 2, culprit: ['--fail-under judge_score', 'data.csv has no LLM judge\'s verdicts'] },
  { name: 'a win-rate gate on a file', args: ['score', 'data.csv', '-t', 'review', '--fail-under', 'win_rate:a=0.5'], code: 2, culprit: ['--fail-under win_rate:a', 'not supported on a file'] },
  // Config
  { name: '.evalrc with broken JSON', cwd: 'cfg-broken', args: ['create', '../data.csv', ...P], code: 1, culprit: ['.evalrc', 'not valid JSON'] },
  { name: '.evalrc with an unknown key', cwd: 'cfg-unknown', args: ['create', '../data.csv', ...P], code: 1, culprit: ['.evalrc', '"modle"', 'Did you mean "model"?'] },
  { name: '.evalrc with a wrong type', cwd: 'cfg-type', args: ['create', '../data.csv', ...P], code: 1, culprit: ['.evalrc', '"concurrency"', '"eight"'] },
  { name: 'bad EVALCTL_CONCURRENCY', args: ['create', 'data.csv', ...P], code: 1, culprit: ['EVALCTL_CONCURRENCY', '"abc"'], env: { EVALCTL_CONCURRENCY: 'abc' } },
  // Jobs
  { name: 'status of an unknown job', args: ['status', 'nosuchjob'], code: 1, culprit: ['"nosuchjob"'] },
  { name: 'cancel of an unknown job', args: ['cancel', 'nosuchjob'], code: 1, culprit: ['"nosuchjob"'] },
  { name: 'resume of an unknown job', args: ['resume', 'nosuchjob'], code: 1, culprit: ['"nosuchjob"'] },
  { name: 'EVALCTL_HOME is a file', args: ['create', 'data.csv', ...P], code: 1, culprit: ['Cannot create a job', 'data.csv', 'is a file'], env: { EVALCTL_HOME: 'data.csv' } },
  // Servers that answer 200 with nothing usable (the first requests): the run stops early.
  { name: 'server answers an HTML login page', args: ['create', 'many.csv', ...P], code: 1, culprit: ['does not answer like an OpenAI-compatible API', 'HTML page', 'Sign in'], malformed: 'html', starts: true },
  { name: 'server answers with no choices', args: ['create', 'many.csv', ...P], code: 1, culprit: ['does not answer like an OpenAI-compatible API', 'no choices'], malformed: 'no-choices', starts: true },
  { name: 'server answers broken JSON', args: ['create', 'many.csv', ...P], code: 1, culprit: ['does not answer like an OpenAI-compatible API', 'not valid JSON'], malformed: 'not-json', starts: true },
  // Variants
  { name: 'the same --model twice', args: ['create', 'data.csv', ...P, '-m', 'gpt-4o-mini', '-m', 'gpt-4o-mini'], code: 2, culprit: ['"gpt_4o_mini"', 'both named'] },
  { name: 'resume with --prompt', args: ['resume', 'nosuchjob', '-p', 'other {review}'], code: 2, culprit: ['resume cannot take --prompt'] },
  { name: 'export of an unknown job', args: ['export', 'nosuchjob', '-o', 'out.csv'], code: 1, culprit: ['"nosuchjob"'] },
  { name: 'export without -o or --overwrite', args: ['export', 'nosuchjob'], code: 2, culprit: ['-o <path>', '--overwrite'] },
];

let stub: Stub;
let s3: S3Server;
let dir: string;
let home: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  stub = await startStub();
  s3 = await startS3(['results']);
  await s3.put('results', 'existing.csv', 'old output\n');
  const fixtures = tempDir('evalctl-bad-input-');
  const state = tempDir('evalctl-bad-input-home-');
  cleanups.push(fixtures.cleanup, state.cleanup);
  dir = fixtures.dir;
  home = state.dir;
  const file = (name: string, content: string | Buffer) => writeFileSync(join(dir, name), content);
  const csv = 'id,review,label\n1,great phone,pos\n2,broke in a day,neg\n3,it is fine,neu\n';
  file('data.csv', csv);
  file('many.csv', `id,review\n${Array.from({ length: 200 }, (_, i) => `${i},review ${i}`).join('\n')}\n`);
  file('empty.csv', '');
  file('header-only.csv', 'id,review,label\n');
  file('csv-data.parquet', csv);
  file('binary.csv', Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) % 256)));
  file('book.xlsx', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64)]));
  file('existing.csv', 'old output\n');
  const reviews = (n: number) => Array.from({ length: n }, (_, i) => `${i},review ${i}\n`).join('');
  file('latin1.csv', Buffer.from('id,review\n1,caf\xe9 cr\xe8me\n', 'latin1'));
  file('latin1-late.csv', Buffer.concat([Buffer.from(`id,review\n${reviews(30000)}`), Buffer.from('30000,na\xefve\n', 'latin1')]));
  file('latin1.jsonl', Buffer.from('{"review": "ok"}\n{"review": "caf\xe9"}\n', 'latin1'));
  file('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,review\n1,café\n', 'utf16le')]));
  file('utf16-nobom.csv', Buffer.from('id,review\n1,good\n2,bad\n', 'utf16le'));
  file('utf16be.csv', Buffer.from(Buffer.from('\ufeffid,review\n1,good\n', 'utf16le').swap16()));
  file('long-line.csv', `id,review\n1,ok\n2,${'x'.repeat(2_100_000)}\n3,ok\n`);
  file('ragged-early.csv', 'id,review\n1,a\n2,b,c\n3,d\n');
  file('ragged-sample.csv', `id,review,label\n${Array.from({ length: 5000 }, (_, i) => `${i},review ${i},x\n`).join('')}5000,short\n`);
  file('huge-prompt.txt', `Classify: {review}\n${'padding line\n'.repeat(90_000)}`);
  file('latin1-prompt.txt', Buffer.from('Classifiez \xe7a: {review}', 'latin1'));
  file('ragged-late.csv', `id,review\n${reviews(30000)}30000,a,b\n`);
  await duckdb(`COPY (SELECT range AS id, 'review ' || range AS review FROM range(500)) TO '${join(dir, 'full.parquet')}'`);
  const parquet = readFileSync(join(dir, 'full.parquet'));
  file('truncated.parquet', parquet.subarray(0, Math.floor(parquet.length / 2)));
  copyFileSync(join(dir, 'full.parquet'), join(dir, 'parquet-data.csv'));
  mkdirSync(join(dir, 'no-tables'));
  file('no-tables/notes.txt', 'not a table');
  mkdirSync(join(dir, 'read-only'));
  chmodSync(join(dir, 'read-only'), 0o555);
  for (const [name, content] of [['cfg-broken', '{"model": "echo",\n'], ['cfg-unknown', '{"modle": "echo"}\n'], ['cfg-type', '{"concurrency": "eight"}\n']]) {
    mkdirSync(join(dir, name));
    file(`${name}/.evalrc`, content);
  }
});

afterAll(async () => {
  chmodSync(join(dir, 'read-only'), 0o755);
  await stub?.close();
  await s3?.close();
  for (const cleanup of cleanups) cleanup();
});

beforeEach(() => {
  stub.configure({ status: 0 });
  stub.reset();
});

/** Every file under `root` with its size and content hash: any write, new file or deletion shows. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, name);
    out[name] = statSync(path).isDirectory() ? 'dir' : createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const mapped = `http://[::ffff:127.0.0.1]:${stub.port}/v1`;
  const resolved = { EVALCTL_HOME: home, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: stub.openaiBaseURL, ...extra };
  for (const [key, value] of Object.entries(resolved)) {
    if (value === 'MAPPED') resolved[key as keyof typeof resolved] = mapped;
    if (value === 'ANTHROPIC') resolved[key as keyof typeof resolved] = stub.anthropicBaseURL;
  }
  return resolved;
}

/** Error lines: `evalctl: ...` and at most one indented hint (after `Job <id>: ...` if the run started). */
function errorLines(stderr: string, starts: boolean): string[] {
  const lines = stderr.split('\n').filter((line) => line !== '');
  return starts && /^Job \w+: /.test(lines[0] ?? '') ? lines.slice(1) : lines;
}

describe('bad input: one clear line, the right exit code, nothing touched', () => {
  for (const c of cases) (c.skip ? it.skip : it)(c.name, async () => {
    if (c.status) stub.configure({ status: c.status });
    stub.configure({ malformed: c.malformed ?? (null as never) });
    const before = snapshot(dir);
    const started = performance.now();
    const result = await runCli(c.args, { cwd: join(dir, c.cwd ?? ''), env: env({ ...(c.s3 ? s3.env : {}), ...c.env }), timeoutMs: 45_000 });
    const seconds = (performance.now() - started) / 1000;

    expect(result.code, result.stderr).toBe(c.code);
    expect(result.stdout).toBe('');
    const lines = errorLines(result.stderr, c.starts ?? false);
    expect(lines[0]).toMatch(/^evalctl: /);
    for (const culprit of c.culprit) expect(lines[0]).toContain(culprit);
    expect(lines.length, result.stderr).toBeLessThanOrEqual(2);
    if (lines[1] !== undefined) expect(lines[1]).toMatch(/^ {2}\S/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout + result.stderr).not.toContain(KEY);
    expect(snapshot(dir)).toEqual(before);
    if (c.maxSeconds) expect(seconds).toBeLessThan(c.maxSeconds);

    const stats = stub.stats();
    if (c.status || c.malformed) {
      // Stops at the first refusals instead of failing all 200 rows one by one.
      expect(stats.requests).toBeGreaterThan(0);
      expect(stats.requests).toBeLessThanOrEqual(16);
      expect(stats.paid).toBe(0);
    } else {
      expect(stats.requests).toBe(0);
    }
  });

  it.each([
    { how: '--verbose', args: ['create', 'missing.csv', ...P, '--verbose'], extra: {} },
    { how: 'EVALCTL_DEBUG=1', args: ['create', 'missing.csv', ...P], extra: { EVALCTL_DEBUG: '1' } },
  ])('$how prints the stack trace after the error line', async ({ args, extra }) => {
    const result = await runCli(args, { cwd: dir, env: env(extra) });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^evalctl: File not found: .*missing\.csv\n/);
    expect(result.stderr).toMatch(/^\s+at /m);
  });

  it('no file under EVALCTL_HOME holds the API key, even for runs that failed at the server', () => {
    const files = Object.entries(snapshot(home)).filter(([, hash]) => hash !== 'dir').map(([name]) => join(home, name));
    expect(files.length).toBeGreaterThan(0);
    for (const path of files) expect(readFileSync(path, 'utf8'), path).not.toContain(KEY);
  });
});
