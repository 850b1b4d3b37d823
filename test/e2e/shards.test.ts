import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { duckdb, readTable } from '../helpers/table.js';

// `create --shard k/n` and `merge`: four shards of an uneven, typed table merged back must equal
// the unsharded output cell by cell and type by type; shards that do not fit together are refused.

const ROWS = 103;
const PROMPT = 'Rate {id}: {review} ({score})';
const { dir, cleanup } = tempDir('evalctl-shards-');
const env = { EVALCTL_HOME: join(dir, 'home') };
const cli = (args: string[]) => runCli(args, { cwd: dir, env });
const shard = (k: number, n: number, output: string, extra: string[] = []) => cli(['create', 'data.parquet', '-p', PROMPT, '-m', 'echo', '--shard', `${k}/${n}`, '-o', output, ...extra]);

beforeAll(async () => {
  await duckdb(`COPY (SELECT i AS id, 'review ' || i AS review, i * 1.5 AS score, DATE '2024-01-01' + i::INTEGER AS day, [i, i + 1] AS pair FROM range(${ROWS}) t(i)) TO '${join(dir, 'data.parquet')}'`);
  await duckdb(`COPY (SELECT * FROM '${join(dir, 'data.parquet')}' WHERE id < 100) TO '${join(dir, 'other.parquet')}'`);
  const whole = await cli(['create', 'data.parquet', '-p', PROMPT, '-m', 'echo', '-o', 'whole.parquet']);
  expect(whole.code, whole.stderr).toBe(0);
  expect((await cli(['create', 'data.parquet', '-p', PROMPT, '-m', 'echo', '-o', 'whole.csv'])).code).toBe(0);
  for (let k = 1; k <= 4; k++) {
    const result = await shard(k, 4, `shard-${k}.parquet`);
    expect(result.code, result.stderr).toBe(0);
  }
});
afterAll(cleanup);

describe('four shards merged equal the unsharded output', () => {
  it.each([
    ['in order', [1, 2, 3, 4], 'merged.parquet'],
    ['given in any order, merged to CSV', [3, 1, 4, 2], 'merged.csv'],
  ])('%s', async (_name, order, output) => {
    const result = await cli(['merge', ...order.map((k) => `shard-${k}.parquet`), '-o', output]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`Merged 4 shards (${ROWS} rows) into ${join(dir, output)}\n`);
    const merged = await readTable(join(dir, output));
    const whole = await readTable(join(dir, output.endsWith('.csv') ? 'whole.csv' : 'whole.parquet'));
    expect(merged.rows).toHaveLength(ROWS);
    expect(merged.columns).toEqual(whole.columns);
    expect(merged.rows).toEqual(whole.rows);
  });

  it('each shard holds its contiguous range, as even as whole rows allow', async () => {
    const sizes = [];
    for (let k = 1; k <= 4; k++) {
      const { rows } = await readTable(join(dir, `shard-${k}.parquet`));
      sizes.push(rows.length);
      expect(rows.map((row) => Number(row.id))).toEqual(Array.from({ length: rows.length }, (_, i) => Math.floor(((k - 1) * ROWS) / 4) + i));
    }
    expect(sizes).toEqual([25, 26, 26, 26]);
  });
});

describe('shards that do not fit together are refused in one line', () => {
  beforeAll(async () => {
    expect((await shard(2, 4, 'other-prompt-2.parquet', ['-t', 'answer'])).code).toBe(0);
    expect((await cli(['create', 'other.parquet', '-p', PROMPT, '-m', 'echo', '--shard', '2/4', '-o', 'other-source-2.parquet'])).code).toBe(0);
    expect((await shard(2, 3, 'thirds-2.parquet')).code).toBe(0);
  });
  it.each([
    ['a missing shard', ['shard-1.parquet', 'shard-2.parquet', 'shard-4.parquet'], /^evalctl: Shard 3\/4 is missing: the merged table would lack rows\.\n  Run `evalctl create \.\.\. --shard 3\/4`/],
    ['a doubled shard', ['shard-1.parquet', 'shard-2.parquet', 'shard-2.parquet', 'shard-3.parquet', 'shard-4.parquet'], /^evalctl: Shard 2\/4 is given twice: shard-2\.parquet and shard-2\.parquet\./],
    ['other settings', ['shard-1.parquet', 'other-prompt-2.parquet', 'shard-3.parquet', 'shard-4.parquet'], /^evalctl: other-prompt-2\.parquet and shard-1\.parquet were made with different settings/],
    ['another source', ['shard-1.parquet', 'other-source-2.parquet', 'shard-3.parquet', 'shard-4.parquet'], /^evalctl: other-source-2\.parquet and shard-1\.parquet were made from different sources/],
    ['another split', ['shard-1.parquet', 'thirds-2.parquet'], /^evalctl: thirds-2\.parquet is shard 2\/3 but shard-1\.parquet is 1\/4\./],
    ['an unsharded output', ['whole.parquet', 'shard-1.parquet'], /^evalctl: whole\.parquet is not the output of a --shard run \(no shard metadata in it\)\./],
    ['a CSV', ['whole.csv'], /^evalctl: whole\.csv is not a parquet file/],
  ])('%s', async (_name, inputs, message) => {
    const result = await cli(['merge', ...inputs, '-o', 'never.parquet']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(2);
  });

  it.each([
    [['--shard', '5/4'], /--shard "5\/4" is not valid: must be k\/n with 1 <= k <= n/],
    [['--shard', '0/4'], /--shard "0\/4" is not valid/],
    [['--shard', '1/4', '--sample', '5'], /--shard and --sample cannot be combined\./],
  ])('create %j is a usage error', async (flags, message) => {
    const result = await cli(['create', 'data.parquet', '-p', PROMPT, '-m', 'echo', '-o', 'never.parquet', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
