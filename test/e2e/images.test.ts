import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv, WIRE_MODEL, type Wire } from '../helpers/create.js';
import { duckdb, readTable } from '../helpers/table.js';
import { literal } from '../../src/core/sql.js';

// `--input-type image` end to end: the image placeholders reach the stub as image parts (OpenAI)
// or blocks (Anthropic), which it reports in its answer as ` [images: <count> <kinds>]`; a bad
// image is a failed row (`bad-input`) that is never sent.

const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const JPEG_HEX = 'ffd8ffe000104a46494600010100000100010000ffd9';

let stub: Stub;
const { dir, cleanup } = tempDir();
let n = 0;

beforeAll(async () => { stub = await startStub(); });
afterAll(async () => { await stub.close(); cleanup(); });
beforeEach(() => stub.reset());

/** A fresh test folder with `data/img/dot.png`, `data/img/dot.jpg` and `data/img/notes.txt`. */
function setup(): string {
  const root = join(dir, `t${++n}`);
  mkdirSync(join(root, 'data', 'img'), { recursive: true });
  writeFileSync(join(root, 'data', 'img', 'dot.png'), Buffer.from(PNG_B64, 'base64'));
  writeFileSync(join(root, 'data', 'img', 'dot.jpg'), Buffer.from(JPEG_HEX, 'hex'));
  writeFileSync(join(root, 'data', 'img', 'notes.txt'), 'not an image\n');
  return root;
}

const outcome = (row: Record<string, unknown>) => ({ answer: row.prediction, status: row.prediction_status, error: row.prediction_error });

describe.each(['openai', 'anthropic'] as Wire[])('over the %s wire', (wire) => {
  it('sends data: URLs and local PNG/JPEG paths (relative to the source file) as images; a missing or non-image file fails its row unsent', async () => {
    const root = setup();
    writeFileSync(join(root, 'data', 'items.csv'), [
      'id,photo',
      `1,"data:image/png;base64,${PNG_B64}"`,
      '2,img/dot.png',
      '3,img/dot.jpg',
      '4,img/gone.png',
      '5,img/notes.txt',
    ].join('\n') + '\n');
    const result = await runCli(['create', 'data/items.csv', '--input-type', 'image', '-p', 'Item {id}: {photo} what is it?', '-m', WIRE_MODEL[wire], '-o', 'out.csv'], {
      cwd: root, env: stubEnv(stub, wire, join(root, 'home')),
    });
    // Exit 3: the run completed with failed rows.
    expect(result.code, result.stderr).toBe(3);
    const { rows } = await readTable(join(root, 'out.csv'));
    expect(rows.map(outcome)).toEqual([
      { answer: stubAnswer('Item 1:  what is it? [images: 1 image/png]'), status: 'answered', error: null },
      { answer: stubAnswer('Item 2:  what is it? [images: 1 image/png]'), status: 'answered', error: null },
      { answer: stubAnswer('Item 3:  what is it? [images: 1 image/jpeg]'), status: 'answered', error: null },
      { answer: null, status: 'failed', error: `the image file ${join(root, 'data', 'img', 'gone.png')} does not exist` },
      { answer: null, status: 'failed', error: `the image file ${join(root, 'data', 'img', 'notes.txt')} is not a PNG, JPEG, GIF or WebP image` },
    ]);
    // Rows 1 and 2 hold the same image and text: the second is answered from the first, so the stub saw two requests.
    expect(stub.stats().models).toEqual({ [WIRE_MODEL[wire]]: 3 });
    expect(result.stderr).toMatch(/3 done, 2 failed \(of 5\)/);
  });

  it('sends parquet BLOB bytes and http URLs as images, several per row; bytes that are not an image fail the row', async () => {
    const root = setup();
    const file = join(root, 'data', 'pics.parquet');
    await duckdb(`COPY (SELECT * FROM (VALUES
      (1, from_base64(${literal(PNG_B64)}), 'https://images.example/a.png'),
      (2, from_hex('${JPEG_HEX}'), 'http://images.example/b.jpg'),
      (3, 'plain text'::BLOB, 'https://images.example/c.png')
    ) AS t(id, image, thumb_url)) TO ${literal(file)} (FORMAT parquet)`);
    const result = await runCli(['create', file, '--input-type', 'image', '-p', '{id}: {image} vs {thumb_url}', '-m', WIRE_MODEL[wire], '-o', join(root, 'out.csv')], {
      cwd: root, env: stubEnv(stub, wire, join(root, 'home')),
    });
    expect(result.code, result.stderr).toBe(3);
    const { rows } = await readTable(join(root, 'out.csv'));
    expect(rows.map(outcome), result.stderr).toEqual([
      { answer: stubAnswer('1:  vs  [images: 2 image/png,url]'), status: 'answered', error: null },
      { answer: stubAnswer('2:  vs  [images: 2 image/jpeg,url]'), status: 'answered', error: null },
      { answer: null, status: 'failed', error: 'the data: URL is not a PNG, JPEG, GIF or WebP image' },
    ]);
    expect(stub.stats().models).toEqual({ [WIRE_MODEL[wire]]: 2 });
  });
});

describe('resume', () => {
  it('reads images the same way (the image columns and folder are stored in the job): a file put back is sent', async () => {
    const root = setup();
    writeFileSync(join(root, 'data', 'items.csv'), 'id,photo\n1,img/dot.png\n2,img/later.jpg\n');
    const env = stubEnv(stub, 'openai', join(root, 'home'));
    const first = await runCli(['create', 'data/items.csv', '--input-type', 'image', '-p', '{id} {photo}', '-m', 'gpt-4o-mini', '-o', 'out.csv', '--json'], { cwd: root, env });
    expect(first.code, first.stderr).toBe(3);
    const job = JSON.parse(first.stdout);
    expect(job.settings).toMatchObject({ input_type: 'image', image_columns: ['photo'], image_base: join(root, 'data') });
    writeFileSync(join(root, 'data', 'img', 'later.jpg'), Buffer.from(JPEG_HEX, 'hex'));
    // From another directory: relative paths still resolve against the source file's folder.
    const resumed = await runCli(['resume', job.id], { cwd: join(root, 'data', 'img'), env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const { rows } = await readTable(join(root, 'out.csv'));
    expect(rows.map(outcome)).toEqual([
      { answer: stubAnswer('1  [images: 1 image/png]'), status: 'answered', error: null },
      { answer: stubAnswer('2  [images: 1 image/jpeg]'), status: 'answered', error: null },
    ]);
    expect(stub.stats().models).toEqual({ 'gpt-4o-mini': 2 });
  });
});

describe('create --input-type', () => {
  it.each([
    ['video with no video placeholder', ['--input-type', 'video'], /^evalctl: --input-type video, but no placeholder in the prompt is a video column \(placeholders: id, caption\)\.$/m],
    ['image with no image placeholder', ['--input-type', 'image'], /no placeholder in the prompt is an image column \(placeholders: id, caption\)/],
    ['--image-column not in the table', ['--image-column', 'pic'], /--image-column "pic" is not in .*items\.csv/],
    ['embeddings', ['--input-type', 'image', '--image-column', 'caption', '--output-type', 'embeddings'], /^evalctl: --input-type image cannot go with --output-type embeddings\.$/m],
  ])('%s: one clear line', async (_name, flags, message) => {
    const root = setup();
    writeFileSync(join(root, 'items.csv'), 'id,caption\n1,hello\n');
    const result = await runCli(['create', 'items.csv', '-p', '{id} {caption}', '-m', 'gpt-4o-mini', ...flags], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(stub.stats().models).toEqual({});
  });

  it('--image-column picks the image column by name; --dry-run estimates a fixed 765 tokens per OpenAI image', async () => {
    const root = setup();
    writeFileSync(join(root, 'data', 'items.csv'), 'id,pic\n1,img/dot.png\n2,img/dot.jpg\n');
    const result = await runCli(['create', 'data/items.csv', '--image-column', 'pic', '-p', 'Describe {pic}', '-m', 'gpt-4o-mini', '--dry-run', '--json'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    expect(result.code, result.stderr).toBe(0);
    const estimate = JSON.parse(result.stdout);
    expect(estimate.variants[0].prompts).toEqual(['Describe [image: img/dot.png]', 'Describe [image: img/dot.jpg]']);
    // Two images at 765 each, plus a few tokens of text and chat overhead per row; the files are not opened.
    expect(estimate.input_tokens).toBeGreaterThanOrEqual(2 * 765);
    expect(estimate.input_tokens).toBeLessThan(2 * 765 + 30);
    expect(stub.stats().models).toEqual({});
  });
});
