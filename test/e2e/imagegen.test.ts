import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStub, stubImage, STUB_IMAGE_TOKENS, type Stub } from '../stub/server.js';
import { runCli, startCli, tempDir } from '../helpers/cli.js';
import { stubEnv, stubTokens } from '../helpers/create.js';
import { answerLines, beforeExit, jobIds, waitFor } from '../helpers/jobs.js';
import { duckdb } from '../helpers/table.js';
import { readTable } from '../helpers/table.js';
import { literal } from '../../src/core/sql.js';
import { decodePng } from '../helpers/png.js';

// `--output-type image` end to end, through the real openai SDK's images.generate against the
// stub's /v1/images/generations, which answers each prompt with its own tiny PNG (`stubImage`).

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SUBJECTS = ['a red fox', 'a blue whale', 'a green tree', 'a yellow sun'];
const promptOf = (subject: string) => `A drawing of ${subject}`;

let stub: Stub;
const { dir, cleanup } = tempDir();
let n = 0;

beforeAll(async () => { stub = await startStub(); });
afterAll(async () => { await stub.close(); cleanup(); });
beforeEach(() => { stub.reset(); stub.configure({ failPrompts: null as never, latencyMs: 0 }); });

/** A fresh folder with `subjects.csv` (id, subject) of `count` rows. */
function setup(count = SUBJECTS.length): string {
  const root = join(dir, `t${++n}`);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'subjects.csv'), ['id,subject', ...SUBJECTS.slice(0, count).map((s, i) => `${i + 1},${s}`)].join('\n') + '\n');
  return root;
}

describe('--output-type image (gpt-image-1)', () => {
  it('writes one PNG a row beside the output, its path in the target column, with the tokens and cost gpt-image-1 reports', async () => {
    const root = setup();
    const result = await runCli(['create', 'subjects.csv', '-p', 'A drawing of {subject}', '-m', 'gpt-image-1', '-o', 'out.csv'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    expect(result.code, result.stderr).toBe(0);
    const { rows } = await readTable(join(root, 'out.csv'));
    expect(rows.map((row) => [row.prediction, row.prediction_status, row.prediction_error])).toEqual(SUBJECTS.map((_, i) => [`out.csv.images/${i}.png`, 'answered', null]));
    for (const [i, subject] of SUBJECTS.entries()) {
      const bytes = readFileSync(join(root, 'out.csv.images', `${i}.png`));
      expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(decodePng(bytes)).toMatchObject({ width: 4, height: 2 });
      expect(bytes.equals(stubImage(promptOf(subject))), `row ${i}`).toBe(true);
    }
    expect(readdirSync(join(root, 'out.csv.images')).sort()).toEqual(['0.png', '1.png', '2.png', '3.png']);
    for (const subject of SUBJECTS) expect(stub.paidCount(promptOf(subject))).toBe(1);
    const promptTokens = SUBJECTS.reduce((sum, s) => sum + stubTokens(promptOf(s)), 0);
    const completionTokens = SUBJECTS.length * STUB_IMAGE_TOKENS;
    expect(result.stderr).toContain(`tokens     ${promptTokens} prompt + ${completionTokens.toLocaleString('en-US')} completion`);
    expect(result.stderr).toContain(`cost       $${((promptTokens * 5 + completionTokens * 40) / 1e6).toFixed(4)}`);
  });

  it('--embed-images puts each image in a parquet BLOB column too; a failed request is a row error that keeps its place', async () => {
    const root = setup();
    stub.configure({ failPrompts: ['whale'] });
    const result = await runCli(['create', 'subjects.csv', '-p', 'A drawing of {subject}', '--output-type', 'image', '-m', 'gpt-image-1', '-o', 'out.parquet', '--embed-images'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    expect(result.code, result.stderr).toBe(3);
    const cells = await duckdb(`SELECT id, prediction, prediction_status, prediction_error, hex(prediction_image) AS image, typeof(prediction_image) AS type FROM read_parquet(${literal(join(root, 'out.parquet'))})`);
    expect(cells.map((c) => c.type)).toEqual(SUBJECTS.map(() => 'BLOB'));
    expect(cells.map((c) => [c.prediction, c.prediction_status, c.image])).toEqual(SUBJECTS.map((subject, i) => (subject.includes('whale')
      ? [null, 'failed', null]
      : [`out.parquet.images/${i}.png`, 'answered', stubImage(promptOf(subject)).toString('hex').toUpperCase()])));
    expect(String(cells[1].prediction_error)).toMatch(/400/);
    expect(existsSync(join(root, 'out.parquet.images', '1.png'))).toBe(false);
    // Exported to CSV, the same job writes the paths alone: no bytes in a text file.
    const id = (await runCli(['list', '--json'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) })).stdout;
    const jobId = (JSON.parse(id) as { id: string }[])[0].id;
    const exported = await runCli(['export', jobId, '-o', 'again.csv'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    expect(exported.code, exported.stderr).toBe(0);
    const header = readFileSync(join(root, 'again.csv'), 'utf8').split('\n')[0];
    expect(header).toBe('id,subject,prediction,prediction_status,prediction_error');
  });

  it('asks DALL-E for b64_json (it answers with a URL otherwise); its cost is unknown', async () => {
    const root = setup(1);
    const result = await runCli(['create', 'subjects.csv', '-p', 'A drawing of {subject}', '-m', 'dall-e-3', '-o', 'out.jsonl'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    expect(result.code, result.stderr).toBe(0);
    expect((stub.stats().lastRequest?.body as Record<string, unknown>)).toMatchObject({ model: 'dall-e-3', prompt: promptOf(SUBJECTS[0]), response_format: 'b64_json', n: 1 });
    expect(readFileSync(join(root, 'out.jsonl.images', '0.png')).equals(stubImage(promptOf(SUBJECTS[0])))).toBe(true);
    expect(result.stderr).toMatch(/cost\s+unknown/);
  });

  it('--dry-run prices 272 to 4,160 output tokens an image and sends nothing', async () => {
    const root = setup();
    const result = await runCli(['create', 'subjects.csv', '-p', 'A drawing of {subject}', '-m', 'gpt-image-1', '--dry-run', '--json'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    expect(result.code, result.stderr).toBe(0);
    const estimate = JSON.parse(result.stdout);
    expect(estimate.variants[0]).toMatchObject({ output_tokens_per_row: { low: 272, high: 4160 } });
    expect(stub.stats().requests).toBe(0);
  });
});

describe('resume after a cancel mid-run', () => {
  it('asks only for the rows without an image: none is generated twice', async () => {
    const root = join(dir, `t${++n}`);
    mkdirSync(root, { recursive: true });
    const count = 12;
    writeFileSync(join(root, 'subjects.csv'), ['id,subject', ...Array.from({ length: count }, (_, i) => `${i},thing ${i}`)].join('\n') + '\n');
    const home = join(root, 'home');
    const env = stubEnv(stub, 'openai', home);
    stub.configure({ latencyMs: 150 });
    const run = startCli(['create', 'subjects.csv', '-p', 'A drawing of {subject}', '-m', 'gpt-image-1', '-c', '2', '-o', 'out.csv'], { cwd: root, env });
    const id = await beforeExit(run, waitFor('the job to be created', () => jobIds(home)[0]));
    await beforeExit(run, waitFor('four images', () => answerLines(home, id).length >= 4, 30_000, 20));
    run.child.kill('SIGINT');
    const cancelled = await run.done;
    expect(cancelled.code, cancelled.stderr).toBe(130);
    const before = answerLines(home, id).length;
    expect(before).toBeLessThan(count);
    stub.configure({ latencyMs: 0 });
    const resumed = await runCli(['resume', id], { cwd: root, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const { rows } = await readTable(join(root, 'out.csv'));
    expect(rows.map((row) => row.prediction)).toEqual(Array.from({ length: count }, (_, i) => `out.csv.images/${i}.png`));
    for (let i = 0; i < count; i++) {
      expect(stub.paidCount(promptOf(`thing ${i}`)), `row ${i}`).toBe(1);
      expect(readFileSync(join(root, 'out.csv.images', `${i}.png`)).equals(stubImage(promptOf(`thing ${i}`)))).toBe(true);
    }
  });
});

describe('create --output-type image: one clear line, nothing sent', () => {
  it.each([
    ['Anthropic', ['-m', 'claude-haiku-4-5', '--output-type', 'image'], 'anthropic', /^evalctl: claude-haiku-4-5 cannot generate images: Anthropic has no image-generation API\.$/m],
    ['--schema', ['-m', 'gpt-image-1', '--schema', 'x: string'], 'openai', /^evalctl: --output-type image cannot go with --schema or --structured\.$/m],
    ['--batch-api', ['-m', 'gpt-image-1', '--batch-api'], 'openai', /^evalctl: --batch-api does not support --output-type image\.$/m],
    ['--judge', ['-m', 'gpt-image-1', '--judge', 'relevance', '--judge-model', 'gpt-4o-mini'], 'openai', /^evalctl: --output-type image cannot go with --judge: the answers are image files\.$/m],
    ['embeddings', ['-m', 'gpt-image-1', '--output-type', 'embeddings'], 'openai', /^evalctl: gpt-image-1 is an image-generation model; it cannot write embeddings\.$/m],
    ['an embedding model', ['-m', 'text-embedding-3-small', '--output-type', 'image'], 'openai', /^evalctl: text-embedding-3-small is an embedding model/m],
    ['image inputs', ['-m', 'gpt-image-1', '--image-column', 'subject'], 'openai', /^evalctl: --output-type image cannot go with --input-type image \(image edits are not supported\)\.$/m],
    ['-o -', ['-m', 'gpt-image-1', '-o', '-'], 'openai', /^evalctl: --output-type image writes its images beside the output file, so it cannot go with -o -\.$/m],
    ['--embed-images to CSV', ['-m', 'gpt-image-1', '--embed-images', '-o', 'out.csv'], 'openai', /^evalctl: --embed-images needs a parquet output \(-o out\.parquet\); a csv output holds the image paths alone\.$/m],
    ['--embed-images without images', ['-m', 'gpt-4o-mini', '--embed-images'], 'openai', /^evalctl: --embed-images goes with --output-type image \(generated images\)\.$/m],
  ] as const)('%s', async (_name, flags, wire, message) => {
    const root = setup(1);
    const result = await runCli(['create', 'subjects.csv', '-p', 'A drawing of {subject}', ...flags], { cwd: root, env: stubEnv(stub, wire, join(root, 'home')) });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(stub.stats().requests).toBe(0);
  });
});

describe('resume after SIGKILL mid-run', () => {
  it('keeps every image already written, whole; pays again at most for those in flight; leaves no partial file', async () => {
    const root = join(dir, `t${++n}`);
    mkdirSync(root, { recursive: true });
    const count = 60;
    const concurrency = 4;
    writeFileSync(join(root, 'subjects.csv'), ['id,subject', ...Array.from({ length: count }, (_, i) => `${i},kill ${i}`)].join('\n') + '\n');
    const home = join(root, 'home');
    const env = stubEnv(stub, 'openai', home);
    stub.configure({ latencyMs: 40 });
    const run = startCli(['create', 'subjects.csv', '-p', 'A drawing of {subject}', '-m', 'gpt-image-1', '-c', String(concurrency), '-o', 'out.csv'], { cwd: root, env });
    const id = await beforeExit(run, waitFor('the job to be created', () => jobIds(home)[0]));
    await beforeExit(run, waitFor('a third of the images', () => answerLines(home, id).length >= count / 3, 30_000, 10));
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const logged = answerLines(home, id);
    expect(logged.length).toBeLessThan(count);
    // Every image the log names is on disk, whole, when the process dies.
    for (const line of logged) expect(readFileSync(join(root, line.answer as string)).equals(stubImage(promptOf(`kill ${line.row}`))), `row ${line.row}`).toBe(true);

    // What a kill in the middle of writing an image leaves (the write is too quick to be caught here).
    writeFileSync(join(root, 'out.csv.images', `.${count - 1}.png.99999.partial`), 'half an image');

    stub.configure({ latencyMs: 0 });
    const resumed = await runCli(['resume', id], { cwd: root, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const { rows } = await readTable(join(root, 'out.csv'));
    expect(rows.map((row) => row.prediction)).toEqual(Array.from({ length: count }, (_, i) => `out.csv.images/${i}.png`));
    const paid = Array.from({ length: count }, (_, i) => stub.paidCount(promptOf(`kill ${i}`)));
    for (let i = 0; i < count; i++) expect(readFileSync(join(root, 'out.csv.images', `${i}.png`)).equals(stubImage(promptOf(`kill ${i}`))), `row ${i}`).toBe(true);
    expect(Math.max(...paid)).toBeLessThanOrEqual(2);
    expect(paid.filter((p) => p === 2).length).toBeLessThanOrEqual(concurrency);
    for (const line of logged) expect(stub.paidCount(promptOf(`kill ${line.row}`)), `logged row ${line.row}`).toBe(1);
    // Only the images: no temporary file of a write the kill cut short is left.
    expect(readdirSync(join(root, 'out.csv.images')).sort()).toEqual(Array.from({ length: count }, (_, i) => `${i}.png`).sort());
  });
});
