import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';
import { runCli, startCli, tempDir } from '../helpers/cli.js';
import { sha256, stubEnv } from '../helpers/create.js';
import { watchPeakRss } from '../helpers/memory.js';
import { duckdb, readTable } from '../helpers/table.js';

// The "done when" check: 20,000 rows through the stub at concurrency 32, every answer in its
// row, each row paid exactly once, and the CLI's peak memory (VmHWM) under 250 MB.

const ROWS = 20_000;
const PEAK_RSS_LIMIT_MB = 250;

let stub: Stub;
const { dir, cleanup } = tempDir();
beforeAll(async () => { stub = await startStub({ latencyMs: 2 }); });
afterAll(async () => { await stub.close(); cleanup(); });

/** Row i's text: quotes, commas and, every 97th row, an embedded newline. */
const text = (i: number) => `Review ${i}: "${i % 3 ? 'good' : 'bad'}", value ${i * 7}${i % 97 === 0 ? '\nsecond line' : ''}`;
const csvCell = (value: string) => `"${value.replaceAll('"', '""')}"`;

it(`answers ${ROWS.toLocaleString('en-US')} rows in order, each paid once, under ${PEAK_RSS_LIMIT_MB} MB`, async () => {
  const input = join(dir, 'big.csv');
  writeFileSync(input, 'id,text\n' + Array.from({ length: ROWS }, (_, i) => `${i},${csvCell(text(i))}`).join('\n') + '\n');
  const before = sha256(input);

  const started = Date.now();
  const cli = startCli(['create', 'big.csv', '-p', 'Classify #{id}: {text}', '-c', '32', '-o', 'big.out.csv'], {
    cwd: dir, env: stubEnv(stub, 'openai', join(dir, 'home')),
  });
  const memory = watchPeakRss(cli.child.pid!);
  const result = await cli.done;
  const peakMb = memory.stop();
  const seconds = (Date.now() - started) / 1000;

  expect(result.code, result.stderr.slice(-2000)).toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(`rows       ${ROWS.toLocaleString('en-US')} done, 0 failed (of ${ROWS.toLocaleString('en-US')})`);

  const stats = stub.stats();
  expect(stats.paid).toBe(ROWS);
  expect(stats.duplicates).toBe(0);
  expect(Object.keys(stats.paidByPrompt)).toHaveLength(ROWS);
  expect(stats.maxInFlight).toBeLessThanOrEqual(32);
  expect(stats.maxInFlight).toBeGreaterThan(8);

  const table = await readTable(join(dir, 'big.out.csv'));
  expect(table.rows).toHaveLength(ROWS);
  const mismatches: unknown[] = [];
  table.rows.forEach((row, i) => {
    const expected = { id: String(i), text: text(i), prediction: stubAnswer(`Classify #${i}: ${text(i)}`), prediction_status: 'answered', prediction_error: null };
    if (JSON.stringify(row) !== JSON.stringify(expected)) mismatches.push({ row: i, got: row, expected });
  });
  expect(mismatches.slice(0, 3)).toEqual([]);
  expect(sha256(input)).toBe(before);

  console.log(`scale: ${ROWS} rows in ${seconds.toFixed(1)} s, peak RSS ${peakMb.toFixed(0)} MB`);
  expect(peakMb).toBeGreaterThan(20);
  expect(peakMb).toBeLessThan(PEAK_RSS_LIMIT_MB);
}, 120_000);

it('keeps answers on their rows across 100 parquet row groups (the stream and the writer number rows alike)', async () => {
  const input = join(dir, 'groups.parquet');
  await duckdb(`COPY (SELECT range AS id, hash(range) % 1000 AS h FROM range(100000)) TO '${input}' (FORMAT parquet, ROW_GROUP_SIZE 1000)`);
  const result = await runCli(['create', 'groups.parquet', '-p', '{id}/{h}', '-m', 'echo', '-o', 'groups.out.parquet'], {
    cwd: dir, env: { EVALCTL_HOME: join(dir, 'home') }, timeoutMs: 90_000,
  });
  expect(result.code, result.stderr.slice(-2000)).toBe(0);
  const [check] = await duckdb(`SELECT count(*)::INTEGER AS rows,
      count(*) FILTER (WHERE prediction IS DISTINCT FROM id::VARCHAR || '/' || h::VARCHAR)::INTEGER AS wrong,
      count(*) FILTER (WHERE id <> position)::INTEGER AS moved
    FROM (SELECT *, row_number() OVER () - 1 AS position FROM '${join(dir, 'groups.out.parquet')}')`);
  expect(check).toEqual({ rows: 100_000, wrong: 0, moved: 0 });
}, 120_000);
