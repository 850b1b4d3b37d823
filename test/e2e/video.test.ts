import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv } from '../helpers/create.js';
import { duckdb, readTable } from '../helpers/table.js';
import { literal } from '../../src/core/sql.js';

// `--input-type video` end to end: video placeholders reach an OpenAI-compatible server (the
// stub, as vLLM would be) as `video_url` parts, which the stub reports in its answer as
// ` [videos: <count> <kinds>]`; a bad video is a failed row (`bad-input`), never sent; OpenAI's
// own API and Anthropic are refused before anything is sent.

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), latin1('ftypisom'), Buffer.alloc(12)]);
const MOV = Buffer.concat([Buffer.from([0, 0, 0, 0x14]), latin1('ftypqt  '), Buffer.alloc(8)]);
const WEBM = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84]), latin1('webm'), Buffer.alloc(8)]);
const AVI = latin1('RIFF\x10\x00\x00\x00AVI LIST\x00\x00\x00\x00');
const hex = (bytes: Buffer) => `from_hex('${bytes.toString('hex')}')`;

let stub: Stub;
const { dir, cleanup } = tempDir();
let n = 0;

beforeAll(async () => { stub = await startStub(); });
afterAll(async () => { await stub.close(); cleanup(); });
beforeEach(() => stub.reset());

/** A fresh test folder with `data/clips/a.mp4`, `b.mov` and `notes.txt`. */
function setup(): string {
  const root = join(dir, `t${++n}`);
  mkdirSync(join(root, 'data', 'clips'), { recursive: true });
  writeFileSync(join(root, 'data', 'clips', 'a.mp4'), MP4);
  writeFileSync(join(root, 'data', 'clips', 'b.mov'), MOV);
  writeFileSync(join(root, 'data', 'clips', 'notes.txt'), 'not a video\n');
  return root;
}

/** An OpenAI-compatible server (the stub) with a video model, as `--base-url` names it. */
const VLLM = (stub: Stub) => ['-m', 'openai:qwen2.5-vl', '--base-url', stub.openaiBaseURL];
const outcome = (row: Record<string, unknown>) => ({ answer: row.prediction, status: row.prediction_status, error: row.prediction_error });

describe('--input-type video to an OpenAI-compatible server', () => {
  it('sends URLs, paths (relative to the source) and BLOB bytes as video_url parts with the sniffed type; a missing or non-video file fails its row unsent', async () => {
    const root = setup();
    const file = join(root, 'data', 'clips.parquet');
    await duckdb(`COPY (SELECT * FROM (VALUES
      (1, 'https://videos.example/one.mp4', ${hex(WEBM)}),
      (2, 'clips/a.mp4', ${hex(AVI)}),
      (3, 'clips/b.mov', ${hex(MP4)}),
      (4, 'clips/gone.mp4', ${hex(WEBM)}),
      (5, 'clips/notes.txt', ${hex(WEBM)})
    ) AS t(id, clip, raw)) TO ${literal(file)} (FORMAT parquet)`);
    const result = await runCli(['create', file, '--input-type', 'video', '-p', '{id}: {clip} then {raw}?', ...VLLM(stub), '-o', join(root, 'out.csv'), '--json'], {
      cwd: root, env: { EVALCTL_HOME: join(root, 'home') },
    });
    expect(result.code, result.stderr).toBe(3);
    // The video columns (a name ending in clip, a BLOB) and the folder are stored, so resume reads the same files.
    expect(JSON.parse(result.stdout).settings).toMatchObject({ input_type: 'video', video_columns: ['clip', 'raw'], image_base: join(root, 'data') });
    const { rows } = await readTable(join(root, 'out.csv'));
    expect(rows.map(outcome)).toEqual([
      { answer: stubAnswer('1:  then ? [videos: 2 url,video/webm]'), status: 'answered', error: null },
      { answer: stubAnswer('2:  then ? [videos: 2 video/mp4,video/x-msvideo]'), status: 'answered', error: null },
      { answer: stubAnswer('3:  then ? [videos: 2 video/quicktime,video/mp4]'), status: 'answered', error: null },
      { answer: null, status: 'failed', error: `the video file ${join(root, 'data', 'clips', 'gone.mp4')} does not exist` },
      { answer: null, status: 'failed', error: `the video file ${join(root, 'data', 'clips', 'notes.txt')} is not an MP4, WebM, Matroska, QuickTime or AVI video` },
    ]);
    // Only the three good rows were sent, and the last carried the BLOB's bytes as a data: URL.
    expect(stub.stats().models).toEqual({ 'qwen2.5-vl': 3 });
    expect(result.stderr).toMatch(/3 done, 2 failed \(of 5\)/);
  });

  it('--video-column names the column; --dry-run counts a fixed 4,096 tokens per video without opening it', async () => {
    const root = setup();
    writeFileSync(join(root, 'data', 'items.csv'), 'id,footage\n1,clips/a.mp4\n2,clips/b.mov\n');
    const result = await runCli(['create', 'data/items.csv', '--video-column', 'footage', '-p', 'Describe {footage}', ...VLLM(stub), '--dry-run', '--json'], { cwd: root, env: { EVALCTL_HOME: join(root, 'home') } });
    expect(result.code, result.stderr).toBe(0);
    const estimate = JSON.parse(result.stdout);
    expect(estimate.variants[0].prompts).toEqual(['Describe [video: clips/a.mp4]', 'Describe [video: clips/b.mov]']);
    expect(estimate.input_tokens).toBeGreaterThanOrEqual(2 * 4096);
    expect(estimate.input_tokens).toBeLessThan(2 * 4096 + 30);
    expect(stub.stats().requests).toBe(0);
  });
});

describe('create --input-type video: one clear line, nothing sent', () => {
  it.each([
    ['OpenAI\'s own API', ['-m', 'gpt-4o', '--dry-run'], { OPENAI_API_KEY: 'sk-test' }, /^evalctl: --input-type video: OpenAI's API does not take video \(gpt-4o\)\.\n.*vLLM: -m openai:<model> --base-url/m],
    ['Anthropic', ['-m', 'claude-haiku-4-5'], 'anthropic', /^evalctl: --input-type video: claude-haiku-4-5 is an Anthropic model, and Anthropic's API does not take video\.$/m],
    ['--batch-api', ['-m', 'openai:qwen2.5-vl', '--batch-api'], 'openai', /^evalctl: --batch-api does not support --input-type video yet\.$/m],
    ['no video column', ['-m', 'openai:qwen2.5-vl', '-p', '{id}'], 'openai', /^evalctl: --input-type video, but no placeholder in the prompt is a video column \(placeholders: id\)\.$/m],
    ['with embeddings', ['-m', 'openai:nomic-embed', '--output-type', 'embeddings'], 'openai', /^evalctl: --input-type video cannot go with --output-type embeddings\.$/m],
    ['--image-column and --video-column', ['-m', 'openai:qwen2.5-vl', '--image-column', 'clip'], 'openai', /^evalctl: --image-column and --video-column cannot go together\.$/m],
  ] as const)('%s', async (_name, flags, env, message) => {
    const root = setup();
    writeFileSync(join(root, 'items.csv'), 'id,clip\n1,data/clips/a.mp4\n');
    const environment = typeof env === 'string' ? stubEnv(stub, env, join(root, 'home')) : { ...env, EVALCTL_HOME: join(root, 'home') };
    const given: readonly string[] = flags;
    const video = given.includes('--image-column') ? ['--video-column', 'clip'] : ['--input-type', 'video'];
    const prompt = given.includes('-p') ? [] : ['-p', '{id} {clip}'];
    const result = await runCli(['create', 'items.csv', ...video, ...prompt, ...flags], { cwd: root, env: environment });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(stub.stats().requests).toBe(0);
  });
});
