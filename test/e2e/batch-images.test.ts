// `--input-type image` through --batch-api: each request line carries the row's images as the live
// call sends them (OpenAI image_url parts, Anthropic image blocks), which the stub reports in its
// answer as ` [images: <count> <kinds>]`; a bad image fails its row unsent; batch files split on bytes.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv, WIRE_MODEL, type Wire } from '../helpers/create.js';
import { readTable } from '../helpers/table.js';

const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const JPEG_HEX = 'ffd8ffe000104a46494600010100000100010000ffd9';

let stub: Stub;
const { dir, cleanup } = tempDir();
let n = 0;

beforeAll(async () => { stub = await startStub(); });
afterAll(async () => { await stub.close(); cleanup(); });
beforeEach(() => stub.reset());

/** A fresh folder with `data/items.csv` and its images: a data: URL, a PNG, a JPEG, a missing file and a text file. */
function setup(): string {
  const root = join(dir, `t${++n}`);
  mkdirSync(join(root, 'data', 'img'), { recursive: true });
  writeFileSync(join(root, 'data', 'img', 'dot.png'), Buffer.from(PNG_B64, 'base64'));
  writeFileSync(join(root, 'data', 'img', 'dot.jpg'), Buffer.from(JPEG_HEX, 'hex'));
  // A PNG with 3 KB after it: still a PNG to the sniffer, and a request line of about 4 KB.
  writeFileSync(join(root, 'data', 'img', 'big.png'), Buffer.concat([Buffer.from(PNG_B64, 'base64'), Buffer.alloc(3000)]));
  writeFileSync(join(root, 'data', 'img', 'notes.txt'), 'not an image\n');
  writeFileSync(join(root, 'data', 'items.csv'), ['id,photo', `1,"data:image/png;base64,${PNG_B64}"`, '2,img/dot.png', '3,img/dot.jpg', '4,img/gone.png', '5,img/notes.txt', '6,img/dot.png'].join('\n') + '\n');
  return root;
}

const outcome = (row: Record<string, unknown>) => ({ answer: row.prediction, status: row.prediction_status, error: row.prediction_error });
const args = (wire: Wire) => ['create', 'data/items.csv', '--input-type', 'image', '-p', 'Item {id}: {photo} what is it?', '-m', WIRE_MODEL[wire]];

describe.each(['openai', 'anthropic'] as Wire[])('over the %s wire', (wire) => {
  it('sends the images in the request lines: the same output as live; a missing or non-image file fails its row unsent', async () => {
    const root = setup();
    const env = stubEnv(stub, wire, join(root, 'home'));
    const live = await runCli([...args(wire), '-o', 'live.csv', '--json'], { cwd: root, env });
    expect(live.code, live.stderr).toBe(3);
    stub.reset();

    const result = await runCli([...args(wire), '-o', 'out.csv', '--batch-api', '--json'], { cwd: root, env: { ...env, EVALCTL_BATCH_POLL_MS: '50' } });
    expect(result.code, result.stderr).toBe(3);
    expect(stub.stats().batches).toEqual({ created: 1, cancelled: 0, requests: 4 });
    const { rows } = await readTable(join(root, 'out.csv'));
    expect(rows.map(outcome)).toEqual([
      { answer: stubAnswer('Item 1:  what is it? [images: 1 image/png]'), status: 'answered', error: null },
      { answer: stubAnswer('Item 2:  what is it? [images: 1 image/png]'), status: 'answered', error: null },
      { answer: stubAnswer('Item 3:  what is it? [images: 1 image/jpeg]'), status: 'answered', error: null },
      { answer: null, status: 'failed', error: `the image file ${join(root, 'data', 'img', 'gone.png')} does not exist` },
      { answer: null, status: 'failed', error: `the image file ${join(root, 'data', 'img', 'notes.txt')} is not a PNG, JPEG, GIF or WebP image` },
      { answer: stubAnswer('Item 6:  what is it? [images: 1 image/png]'), status: 'answered', error: null },
    ]);
    expect(rows.map(outcome)).toEqual((await readTable(join(root, 'live.csv'))).rows.map(outcome));
    const job = JSON.parse(result.stdout);
    expect(job).toMatchObject({ status: 'completed', failed_rows: 2 });
    expect(job.cost_usd).toBeCloseTo(JSON.parse(live.stdout).cost_usd / 2, 12);
  });
});

describe('--batch-api with images and a byte limit', () => {
  it('splits the request files on bytes; a row whose request alone is over the limit fails unsent', async () => {
    const root = setup();
    writeFileSync(join(root, 'data', 'items.csv'), ['id,photo', '1,img/dot.png', '2,img/big.png', '3,img/dot.jpg', '4,img/dot.png', '5,img/dot.jpg'].join('\n') + '\n');
    const home = join(root, 'home');
    const env = { ...stubEnv(stub, 'openai', home), EVALCTL_BATCH_POLL_MS: '50', EVALCTL_BATCH_MAX_BYTES: '900' };
    const result = await runCli([...args('openai'), '-o', 'out.csv', '--batch-api', '--json'], { cwd: root, env });
    expect(result.code, result.stderr).toBe(3);
    const job = JSON.parse(result.stdout);
    expect(job.batches.length).toBeGreaterThan(1);
    expect(job.batches.reduce((sum: number, b: any) => sum + b.requests, 0)).toBe(4);
    const folder = join(home, 'jobs', job.id, 'batches');
    for (const file of readdirSync(folder)) expect(statSync(join(folder, file)).size, file).toBeLessThanOrEqual(900);
    const { rows } = await readTable(join(root, 'out.csv'));
    expect(rows.map((r) => r.prediction_status)).toEqual(['answered', 'failed', 'answered', 'answered', 'answered']);
    expect(rows[1].prediction_error).toMatch(/^the request with its images is 4\.\d KB, over the batch file limit of 900 bytes, so it was not sent$/);
  });
});
