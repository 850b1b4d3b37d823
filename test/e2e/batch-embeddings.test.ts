// create --batch-api with an embedding model: rows grouped --batch-size to a request as live,
// sent to OpenAI's batch API at /v1/embeddings (the stub's), each request's vectors fanned back
// to its rows by custom_id; read back through DuckDB cell by cell.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv, stubTokens } from '../helpers/create.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubEmbedding, type Stub } from '../stub/server.js';

const ROWS = 25;
const EMPTY = 7;
const reviews = Array.from({ length: ROWS }, (_, i) => (i === EMPTY ? '' : `review number ${i}`));

describe('--batch-api with embeddings (OpenAI)', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let input: string;
  beforeAll(async () => {
    stub = await startStub();
    temp = tempDir();
    input = join(temp.dir, 'reviews.csv');
    writeFileSync(input, 'id,review\n' + reviews.map((r, i) => `${i},${r}`).join('\n') + '\n');
  });
  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  it('25 rows, one empty: ceil(24 / 10) requests in batches of 2, a FLOAT[] vector for every row, the empty row failed unsent, billed at half price', async () => {
    const output = join(temp.dir, 'out.parquet');
    const env = { ...stubEnv(stub, 'openai', join(temp.dir, 'home')), EVALCTL_BATCH_POLL_MS: '50', EVALCTL_BATCH_MAX_REQUESTS: '2' };
    const result = await runCli(['create', input, '-p', '{review}', '-m', 'text-embedding-3-small', '--dimensions', '8', '--batch-api', '-o', output, '--json'], { cwd: temp.dir, env });
    expect(result.code, result.stderr).toBe(3);
    const tokens = reviews.reduce((sum, r) => sum + (r ? stubTokens(r) : 0), 0);
    const job = JSON.parse(result.stdout);
    expect(job).toMatchObject({ status: 'completed', failed_rows: 1, prompt_tokens_used: tokens, completion_tokens_used: 0 });
    expect(job.cost_usd).toBeCloseTo((tokens * 0.02) / 2e6, 12);
    expect(stub.stats().batches).toEqual({ created: 2, cancelled: 0, requests: 3 });
    expect(stub.stats().embeddings).toBe(0); // no live embeddings call

    const { columns, rows } = await readTable(output);
    expect(columns.slice(2)).toEqual([{ name: 'prediction', type: 'FLOAT[]' }, { name: 'prediction_status', type: 'VARCHAR' }, { name: 'prediction_error', type: 'VARCHAR' }]);
    rows.forEach((row, i) => {
      if (i === EMPTY) expect([row.prediction, row.prediction_status, row.prediction_error]).toEqual([null, 'failed', 'the input is empty; embedding endpoints refuse empty text, so it was not sent']);
      else expect([row.prediction, row.prediction_status, row.prediction_error]).toEqual([stubEmbedding(reviews[i], 8), 'answered', null]);
    });
  });

  it('an expired request fails each of its rows; resume sends that request again, and only it', async () => {
    stub.configure({ batchExpirePrompts: ['review number 3'] });
    stub.reset();
    const output = join(temp.dir, 'expired.parquet');
    const env = { ...stubEnv(stub, 'openai', join(temp.dir, 'home2')), EVALCTL_BATCH_POLL_MS: '50' };
    const created = await runCli(['create', input, '-p', '{review}', '-m', 'text-embedding-3-small', '--dimensions', '8', '--batch-api', '-o', output, '--json'], { cwd: temp.dir, env });
    expect(created.code, created.stderr).toBe(3);
    const job = JSON.parse(created.stdout);
    // Rows 0-6 and 8-10 went in one request (row 7 is empty, failed unsent).
    const grouped = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10];
    expect(job).toMatchObject({ status: 'completed', failed_rows: grouped.length + 1 });
    let { rows } = await readTable(output);
    expect(rows.filter((r) => String(r.prediction_error).includes('expired')).map((r) => Number(r.id))).toEqual(grouped);

    stub.configure({ batchExpirePrompts: undefined });
    const before = stub.stats().batches.requests;
    const resumed = await runCli(['resume', job.id, '--json'], { cwd: temp.dir, env });
    expect(resumed.code, resumed.stderr).toBe(3);
    expect(stub.stats().batches.requests - before).toBe(1);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', failed_rows: 1 });
    ({ rows } = await readTable(output));
    rows.forEach((row, i) => expect(row.prediction).toEqual(i === EMPTY ? null : stubEmbedding(reviews[i], 8)));
  });
});
