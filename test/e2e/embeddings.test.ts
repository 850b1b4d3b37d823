// Embeddings end to end: the real CLI and the OpenAI SDK against the stub's /v1/embeddings,
// which answers each input with `stubEmbedding(text, dimensions)`. Checks the vector column's
// DuckDB type and every cell, how many requests the rows took, the bill, and memory at scale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../helpers/cli.js';
import { stubEnv, stubTokens } from '../helpers/create.js';
import { watchPeakRss } from '../helpers/memory.js';
import { duckdb, readTable } from '../helpers/table.js';
import { startStub, stubEmbedding, type Stub, type StubOptions } from '../stub/server.js';

const temp = tempDir();
const stubs: Stub[] = [];
afterAll(async () => {
  await Promise.all(stubs.map((stub) => stub.close()));
  temp.cleanup();
});

let cases = 0;
/** A stub and a CSV `id,review` of `rows` rows, where the rows in `empty` have an empty review. */
async function bench(rows: number, empty: number[] = [], options: StubOptions = {}) {
  const stub = await startStub(options);
  stubs.push(stub);
  const root = join(temp.dir, `case${++cases}`);
  mkdirSync(root);
  const reviews = Array.from({ length: rows }, (_, i) => (empty.includes(i) ? '' : `review number ${i}`));
  writeFileSync(join(root, 'reviews.csv'), 'id,review\n' + reviews.map((r, i) => `${i},${r}`).join('\n') + '\n');
  return { stub, root, input: join(root, 'reviews.csv'), home: join(root, 'home'), reviews };
}

const EMBED = ['-p', '{review}', '-m', 'text-embedding-3-small'];

describe('embeddings: done when', () => {
  it('25 rows, one empty: a FLOAT[8] column cell by cell, ceil(24 / 10) requests, the empty row failed unsent, billed at embedding prices', async () => {
    const { stub, root, input, home, reviews } = await bench(25, [7]);
    const output = join(root, 'out.parquet');
    const result = await runCli(['create', input, ...EMBED, '--dimensions', '8', '-o', output], { cwd: root, env: stubEnv(stub, 'openai', home) });
    expect(result.code, result.stderr).toBe(3);
    const { columns, rows } = await readTable(output);
    // Parquet has no fixed-size list: DuckDB's FLOAT[8] is written as a list of FLOAT (each 8 long, checked below).
    expect(columns.slice(2)).toEqual([{ name: 'prediction', type: 'FLOAT[]' }, { name: 'prediction_status', type: 'VARCHAR' }, { name: 'prediction_error', type: 'VARCHAR' }]);
    rows.forEach((row, i) => {
      if (i === 7) expect([row.prediction, row.prediction_status, row.prediction_error]).toEqual([null, 'failed', 'the input is empty; embedding endpoints refuse empty text, so it was not sent']);
      else expect([row.prediction, row.prediction_status, row.prediction_error]).toEqual([stubEmbedding(reviews[i], 8), 'answered', null]);
    });
    const stats = stub.stats();
    expect(stats.requests).toBe(3);
    expect(stats.embeddings).toBe(3);
    expect((stats.lastRequest!.body as Record<string, unknown>).dimensions).toBe(8);
    const tokens = reviews.reduce((sum, r) => sum + (r ? stubTokens(r) : 0), 0);
    expect(result.stderr).toContain(`tokens     ${tokens} prompt + 0 completion = ${tokens}`);
    expect(result.stderr).toContain(`cost       $${(tokens * 0.02 / 1e6).toFixed(6)}`);
  });

  it.each([
    ['csv', 'VARCHAR'],
    ['jsonl', 'DOUBLE[]'],
  ] as const)('in %s the vector is a JSON array', async (ext, type) => {
    const { stub, root, input, home, reviews } = await bench(5);
    const output = join(root, `out.${ext}`);
    const result = await runCli(['create', input, ...EMBED, '--dimensions', '8', '-o', output], { cwd: root, env: stubEnv(stub, 'openai', home) });
    expect(result.code, result.stderr).toBe(0);
    const { columns, rows } = await readTable(output);
    expect(columns.find((c) => c.name === 'prediction')!.type).toBe(type);
    expect(rows.map((r) => (ext === 'csv' ? JSON.parse(r.prediction as string) : r.prediction))).toEqual(reviews.map((r) => stubEmbedding(r, 8)));
  });

  it('an OpenAI-compatible embedding model (--output-type embeddings, no --dimensions): a FLOAT[] column', async () => {
    const { stub, root, input, home, reviews } = await bench(12);
    const output = join(root, 'out.parquet');
    const result = await runCli(['create', input, '-p', '{review}', '-m', 'openai:nomic-embed-text', '--base-url', stub.openaiBaseURL, '--output-type', 'embeddings', '--batch-size', '5', '-o', output], { cwd: root, env: { EVALCTL_HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    const { columns, rows } = await readTable(output);
    expect(columns.find((c) => c.name === 'prediction')!.type).toBe('FLOAT[]');
    expect(rows.map((r) => r.prediction)).toEqual(reviews.map((r) => stubEmbedding(r)));
    expect(stub.stats().requests).toBe(3);
  });

  it('a batch request that fails is retried whole: every row answered, each batch sent twice', async () => {
    const { stub, root, input, home, reviews } = await bench(20, [], { failFirst: 1 });
    const output = join(root, 'out.parquet');
    const result = await runCli(['create', input, ...EMBED, '--dimensions', '8', '-o', output], { cwd: root, env: stubEnv(stub, 'openai', home) });
    expect(result.code, result.stderr).toBe(0);
    expect((await readTable(output)).rows.map((r) => r.prediction)).toEqual(reviews.map((r) => stubEmbedding(r, 8)));
    expect(stub.stats().byStatus).toEqual({ 200: 2, 500: 2 });
  });

  it('--dry-run estimates the input tokens at the embedding price, no output tokens', async () => {
    const { stub, root, input, home } = await bench(10);
    const result = await runCli(['create', input, ...EMBED, '--dry-run', '--json'], { cwd: root, env: stubEnv(stub, 'openai', home) });
    expect(result.code, result.stderr).toBe(0);
    const estimate = JSON.parse(result.stdout);
    // "review number 0" .. "review number 9": four tokens each (cl100k_base), no chat overhead.
    expect(estimate.variants[0]).toMatchObject({ input_tokens: 40, output_tokens_per_row: { low: 0, high: 0 }, cost_usd: { low: 40 * 0.02 / 1e6, high: 40 * 0.02 / 1e6 } });
    expect(stub.stats().requests).toBe(0);
  });

  it('100,000 rows to parquet: a FLOAT[8] column, at most ceil(rows / batch size) requests, under 250 MB', async () => {
    const ROWS = 100_000;
    const BATCH = 50;
    const { stub, root, home } = await bench(1);
    const input = join(root, 'big.parquet');
    await duckdb(`COPY (SELECT range AS id, 'text of row ' || range AS review FROM range(${ROWS})) TO '${input}' (FORMAT parquet)`);
    const cli = startCli(['create', input, ...EMBED, '--dimensions', '8', '--batch-size', String(BATCH), '-c', '16', '-o', 'big.out.parquet'], { cwd: root, env: stubEnv(stub, 'openai', home) });
    const memory = watchPeakRss(cli.child.pid!);
    const result = await cli.done;
    const peakMb = memory.stop();
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(stub.stats({ prompts: false }).requests).toBeLessThanOrEqual(Math.ceil(ROWS / BATCH));
    const [check] = await duckdb(`SELECT typeof(prediction) AS type, count(*)::INTEGER AS rows, count(*) FILTER (WHERE prediction_status = 'answered' AND len(prediction) = 8)::INTEGER AS answered FROM '${join(root, 'big.out.parquet')}' GROUP BY 1`);
    // Every vector exactly 8 FLOATs: a FLOAT[8] in DuckDB, a list of FLOAT in parquet.
    expect(check).toEqual({ type: 'FLOAT[]', rows: ROWS, answered: ROWS });
    const [spot] = await duckdb(`SELECT prediction::DOUBLE[] AS v FROM '${join(root, 'big.out.parquet')}' WHERE id = 77777`);
    expect(spot.v).toEqual(stubEmbedding('text of row 77777', 8));
    console.log(`embeddings scale: ${ROWS} rows, peak RSS ${peakMb.toFixed(0)} MB`);
    expect(peakMb).toBeGreaterThan(20);
    expect(peakMb).toBeLessThan(250);
  }, 300_000);
});
