// Hostile data, tried through the real CLI with the echo model (its answer is the rendered
// prompt): each file either works, every input column kept beside the answer, or stops with
// one clear line naming the file and what is wrong with it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { literal } from '../../src/core/sql.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { duckdb, readTable } from '../helpers/table.js';

const { dir, cleanup } = tempDir('evalctl-hostile-');
afterAll(cleanup);
const env = { EVALCTL_HOME: join(dir, 'home') };

/** The rows of an output table, keys in column order (JSON lines parsed as written: DuckDB would read 200+ keys as one MAP). */
async function readRows(path: string): Promise<Record<string, unknown>[]> {
  if (path.endsWith('.jsonl')) return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return (await readTable(path)).rows;
}

describe('wide tables: all columns out, plus the answer', () => {
  const cases = [
    { columns: 600, format: 'csv' },
    { columns: 3000, format: 'csv' },
    { columns: 3000, format: 'tsv' },
    { columns: 600, format: 'parquet' },
    { columns: 3000, format: 'parquet' },
    { columns: 3000, format: 'jsonl' },
  ] as const;
  for (const { columns, format } of cases) it(`${columns} columns, ${format}`, async () => {
    const input = join(dir, `wide${columns}.${format}`);
    const output = join(dir, `wide${columns}.out.${format}`);
    const names = ['review', ...Array.from({ length: columns - 1 }, (_, k) => `c${k}`)];
    const select = ["'rev ' || r AS review", ...names.slice(1).map((name) => `'v' || r || '_${name}' AS ${name}`)].join(', ');
    const options = format === 'parquet' ? 'FORMAT parquet' : format === 'jsonl' ? 'FORMAT json' : `FORMAT csv, HEADER true, DELIMITER '${format === 'tsv' ? '\t' : ','}'`;
    await duckdb(`COPY (SELECT ${select} FROM range(3) t(r)) TO ${literal(input)} (${options})`);
    const last = names[names.length - 1];

    const result = await runCli(['create', input, '-p', `{review} / {${last}}`, '-m', 'echo', '-o', output], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const rows = await readRows(output);
    expect(Object.keys(rows[0])).toEqual([...names, 'prediction', 'prediction_error']);
    expect(rows.map((row) => row.prediction)).toEqual([0, 1, 2].map((r) => `rev ${r} / v${r}_${last}`));
    for (const [r, row] of rows.entries()) {
      for (const name of names.slice(1)) if (row[name] !== `v${r}_${name}`) expect.fail(`row ${r} ${name}: ${String(row[name])}`);
    }
  }, 60_000);
});
