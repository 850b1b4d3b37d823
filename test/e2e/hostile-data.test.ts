// Hostile data, tried through the real CLI with the echo model (its answer is the rendered
// prompt): each file either works, every input column kept beside the answer, or stops with
// one clear line naming the file and what is wrong with it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { literal } from '../../src/core/sql.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { statusJson } from '../helpers/jobs.js';
import { duckdb, readTable } from '../helpers/table.js';
import { startStub } from '../stub/server.js';

const { dir, cleanup } = tempDir('evalctl-hostile-');
afterAll(cleanup);
const env = { EVALCTL_HOME: join(dir, 'home') };

/** The rows of an output table, keys in column order (JSON lines parsed as written: DuckDB would read 200+ keys as one MAP). */
async function readRows(path: string): Promise<Record<string, unknown>[]> {
  if (path.endsWith('.jsonl')) return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return (await readTable(path)).rows;
}

describe('wide tables: all columns out, plus the answer', () => {
  // Each case failed before: CSV from 600 columns (3,000 already in the sniffer), parquet at
  // 3,000 (600 fit in 100 MB), JSON from 201 keys (read as one MAP column).
  const cases = [
    { columns: 600, format: 'csv' },
    { columns: 3000, format: 'csv' },
    { columns: 600, format: 'tsv' },
    { columns: 3000, format: 'parquet' },
    { columns: 600, format: 'jsonl' },
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
    expect(Object.keys(rows[0])).toEqual([...names, 'prediction', 'prediction_status', 'prediction_error']);
    expect(rows.map((row) => row.prediction)).toEqual([0, 1, 2].map((r) => `rev ${r} / v${r}_${last}`));
    for (const [r, row] of rows.entries()) {
      for (const name of names.slice(1)) if (row[name] !== `v${r}_${name}`) expect.fail(`row ${r} ${name}: ${String(row[name])}`);
    }
  }, 60_000);
});

describe('--encoding reads Latin-1 and UTF-16 text; the output is UTF-8', () => {
  const text = 'id,review\n1,café crème\n2,naïve\n';
  const cases = [
    { name: 'latin1.csv', bytes: Buffer.from(text, 'latin1'), encoding: 'latin-1' },
    { name: 'latin1.tsv', bytes: Buffer.from(text.replaceAll(',', '\t'), 'latin1'), encoding: 'latin-1' },
    { name: 'utf16-bom.csv', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), encoding: 'utf-16' },
    { name: 'utf16.csv', bytes: Buffer.from(text, 'utf16le'), encoding: 'utf-16' },
  ];
  for (const c of cases) it(`${c.name} with --encoding ${c.encoding}`, async () => {
    const input = join(dir, c.name);
    writeFileSync(input, c.bytes);
    const output = join(dir, `${c.name}.out.csv`);
    const result = await runCli(['create', input, '-p', 'Say: {review}', '-m', 'echo', '--encoding', c.encoding, '-o', output], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(input)).toEqual(c.bytes);
    const { rows } = await readTable(output);
    expect(rows).toEqual([
      { id: '1', review: 'café crème', prediction: 'Say: café crème', prediction_status: 'answered', prediction_error: null },
      { id: '2', review: 'naïve', prediction: 'Say: naïve', prediction_status: 'answered', prediction_error: null },
    ]);
  });

  // The job record has no field for the encoding yet (jobs.ts is being rewritten), so resume
  // reopens the source as UTF-8 and refuses it. Flip to `it` once the encoding is stored and
  // passed to Dataset.open in execute.ts.
  it('resume of a Latin-1 job reads the source with the same encoding', async () => {
    const stub = await startStub({ failPrompts: ['naïve'] });
    try {
      const home = join(dir, 'home-resume');
      const stubEnv = { OPENAI_API_KEY: 'sk-test-encoding-0123456789', OPENAI_BASE_URL: stub.openaiBaseURL, EVALCTL_HOME: home };
      const input = join(dir, 'resume-latin1.csv');
      writeFileSync(input, Buffer.from(text, 'latin1'));
      const first = await runCli(['create', input, '-p', 'Say: {review}', '-m', 'gpt-4o-mini', '--encoding', 'latin-1', '--json'], { cwd: dir, env: stubEnv });
      expect(first.code, first.stderr).toBe(3);
      const id = JSON.parse(first.stdout).id;
      stub.configure({ failPrompts: [] });
      const resumed = await runCli(['resume', id], { cwd: dir, env: stubEnv });
      expect(resumed.stderr).not.toContain('not UTF-8');
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(await statusJson(id, dir, stubEnv)).toMatchObject({ status: 'completed', failed_rows: 0 });
    } finally {
      await stub.close();
    }
  });
});

describe('a column named like evalctl\'s own (__evalctl_row)', () => {
  const run = async (name: string) => {
    const input = join(dir, name);
    writeFileSync(input, '__evalctl_row,review\n7,a\n8,b\n');
    const output = join(dir, `${name}.out.csv`);
    const result = await runCli(['create', input, '-p', '{__evalctl_row}: {review}', '-m', 'echo', '-o', output], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    return readTable(output);
  };

  it('fills its placeholder with its own values, not evalctl\'s row numbers', async () => {
    const { rows } = await run('internal-prompt.csv');
    expect(rows.map((row) => row.prediction)).toEqual(['7: a', '8: b']);
  });

  // writer.ts still names evalctl's row-number column __evalctl_row, so the input's column
  // comes out as __evalctl_row_1. Flip to `it` once writer.ts uses dataset.rowColumn.
  it('keeps its name and values in the output', async () => {
    const { columns, rows } = await run('internal-output.csv');
    expect(columns.map((c) => c.name)).toEqual(['__evalctl_row', 'review', 'prediction', 'prediction_status', 'prediction_error']);
    expect(rows.map((row) => row.__evalctl_row)).toEqual(['7', '8']);
  });
});

describe('not mistaken for a ragged row', () => {
  it.each([
    ['one column whose quoted name holds a comma', '"a, b"\nx\n"y, z"\n', '{a, b}', ['x', 'y, z']],
    ['a quoted comma in the header of two columns', '"id, n",review\n1,a\n2,b\n', '{review}', ['a', 'b']],
  ])('%s', async (_name, content, prompt, answers) => {
    const input = join(dir, 'quoted-header.csv');
    writeFileSync(input, content);
    const output = join(dir, 'quoted-header.out.csv');
    const result = await runCli(['create', input, '-p', prompt, '-m', 'echo', '-o', output, '--overwrite'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect((await readTable(output)).rows.map((row) => row.prediction)).toEqual(answers);
  });
});
