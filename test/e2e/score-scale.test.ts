import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { watchPeakRss } from '../helpers/memory.js';
import { duckdb } from '../helpers/table.js';

// The "done when" check: `evalctl score` on a 1,000,000-row parquet takes seconds and flat
// memory, because DuckDB does the counting (GROUP BY on normalised label pairs).

const ROWS = 1_000_000;
const { dir, cleanup } = tempDir();
afterAll(cleanup);

it(`scores ${ROWS.toLocaleString('en-US')} rows in under 20 s, the figures equal DuckDB's own count`, async () => {
  const input = join(dir, 'big.parquet');
  // Labels cycle; the prediction is right unless i % 7 == 0 (then the next label) or i % 101 == 0
  // (free text naming no choice: invalid). --choices makes DuckDB match every answer against each label.
  await duckdb(`COPY (SELECT i AS id, ['positive', 'negative', 'neutral'][i % 3 + 1] AS label,
      CASE WHEN i % 101 = 0 THEN 'no idea' WHEN i % 7 = 0 THEN ['negative', 'neutral', 'positive'][i % 3 + 1] ELSE ' ' || upper(['positive', 'negative', 'neutral'][i % 3 + 1]) || '.' END AS prediction
    FROM range(${ROWS}) t(i)) TO '${input}' (FORMAT parquet)`);
  const [expected] = await duckdb(`SELECT (count(*) FILTER (WHERE NOT (i % 101 = 0) AND NOT (i % 7 = 0)))::INTEGER AS correct,
      (count(*) FILTER (WHERE i % 101 = 0))::INTEGER AS invalid FROM range(${ROWS}) t(i)`);

  const started = Date.now();
  const cli = startCli(['score', 'big.parquet', '--ground-truth', 'label', '--choices', 'positive,negative,neutral', '--json'], { cwd: dir, env: { EVALCTL_HOME: join(dir, 'home') } });
  const memory = watchPeakRss(cli.child.pid!);
  const result = await cli.done;
  const peakMb = memory.stop();
  const seconds = (Date.now() - started) / 1000;

  expect(result.code, result.stderr.slice(-2000)).toBe(0);
  const metrics = JSON.parse(result.stdout).prediction;
  expect(metrics.counts).toMatchObject({ rows: ROWS, scored: ROWS, correct: expected.correct, invalid: expected.invalid });
  expect(metrics.classification.labels).toEqual(['negative', 'neutral', 'positive']);
  expect(metrics.classification.per_label.reduce((sum: number, s: { support: number }) => sum + s.support, 0)).toBe(ROWS);
  // The scored copy (with prediction_correct) is written beside the input.
  const [copy] = await duckdb(`SELECT count(*)::INTEGER AS n, (count(*) FILTER (WHERE prediction_correct))::INTEGER AS correct FROM '${join(dir, 'big.scored.parquet')}'`);
  expect(copy).toEqual({ n: ROWS, correct: expected.correct });

  console.log(`score: ${ROWS} rows in ${seconds.toFixed(1)} s, peak RSS ${peakMb.toFixed(0)} MB`);
  expect(seconds).toBeLessThan(20);
  expect(peakMb).toBeLessThan(400);
}, 120_000);
