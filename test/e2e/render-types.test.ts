import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { duckdb, readTable } from '../helpers/table.js';

// How each DuckDB type renders into a prompt, through the real CLI with the echo model (its
// answer is the rendered prompt), and how awkward values survive each output format.

const { dir, cleanup } = tempDir();
const input = join(dir, 'types.parquet');
afterAll(cleanup);

beforeAll(async () => {
  await duckdb(`COPY (SELECT * FROM (VALUES
      (1, TIMESTAMPTZ '2024-01-02 03:04:05+00', TIME '01:02:03', INTERVAL 3 DAY, 1.50::DECIMAL(10,2), 'nan'::DOUBLE,
       '\\xFF\\x00ab'::BLOB, 'plain'::BLOB, {'k': 'v'}::JSON, [1.5, NULL]::DOUBLE[], {'a': [1, 2], 'b': NULL}, MAP {'x': 1},
       'multi\nline "quoted"', 18446744073709551615::UBIGINT, TIMESTAMP '2024-01-02 03:04:05.123', 'inf'::FLOAT),
      (2, NULL, NULL, NULL, NULL, -1e300::DOUBLE, NULL, NULL, NULL, [], NULL, MAP {}, '', 0::UBIGINT, NULL, 1.25::FLOAT)
    ) t(id, tz, tm, iv, dec, dbl, bin, txt_bin, js, list, struct, map, str, ubig, ts, flt)) TO '${input}' (FORMAT parquet)`);
});

const COLUMNS = ['tz', 'tm', 'iv', 'dec', 'dbl', 'bin', 'txt_bin', 'js', 'list', 'struct', 'map', 'str', 'ubig', 'ts', 'flt'];
const TEMPLATE = COLUMNS.map((c) => `${c}=<{${c}}>`).join(' ');
const EXPECTED = [
  'tz=<2024-01-02 03:04:05+00> tm=<01:02:03> iv=<3 days> dec=<1.50> dbl=<nan> bin=<\\xFF\\x00ab> txt_bin=<plain> js=<{"k":"v"}> ' +
    'list=<[1.5,null]> struct=<{"a":[1,2],"b":null}> map=<{"x":1}> str=<multi\nline "quoted"> ubig=<18446744073709551615> ' +
    'ts=<2024-01-02 03:04:05.123> flt=<inf>',
  'tz=<> tm=<> iv=<> dec=<> dbl=<-1e+300> bin=<> txt_bin=<> js=<> list=<[]> struct=<> map=<{}> str=<> ubig=<0> ts=<> flt=<1.25>',
];

const create = (output: string, env: Record<string, string> = {}) =>
  runCli(['create', input, '-p', TEMPLATE, '-m', 'echo', '-o', output], { cwd: dir, env: { EVALCTL_HOME: join(dir, 'home'), ...env } });

describe('rendering', () => {
  it.each(['UTC', 'America/New_York', 'Asia/Kolkata'])('is the same whatever the machine time zone (TZ=%s)', async (tz) => {
    const output = join(dir, `render-${tz.replace('/', '-')}.parquet`);
    const result = await create(output, { TZ: tz });
    expect(result.code, result.stderr).toBe(0);
    expect((await readTable(output)).rows.map((r) => r.prediction)).toEqual(EXPECTED);
  });
});

describe('awkward values in each output format', () => {
  it('parquet keeps every type, NaN and infinities included', async () => {
    const output = join(dir, 'out.parquet');
    expect((await create(output)).code).toBe(0);
    const [source, written] = await Promise.all([readTable(input), readTable(output)]);
    expect(written.columns.slice(0, -3)).toEqual(source.columns);
    const [row] = await duckdb(`SELECT isnan(dbl) AS nan, isinf(flt) AS inf, ubig::VARCHAR AS ubig FROM '${output}' WHERE id = 1`);
    expect(row).toEqual({ nan: true, inf: true, ubig: '18446744073709551615' });
  });

  it.each(['out.jsonl', 'out.json'])('%s is valid JSON: NaN and infinities become null', async (name) => {
    const output = join(dir, name);
    expect((await create(output)).code).toBe(0);
    const text = readFileSync(output, 'utf8');
    const rows = name.endsWith('.jsonl') ? text.trim().split('\n').map((line) => JSON.parse(line)) : JSON.parse(text);
    expect(rows.map((r: Record<string, unknown>) => [r.id, r.dbl, r.flt, r.prediction])).toEqual([
      [1, null, null, EXPECTED[0]],
      [2, -1e300, 1.25, EXPECTED[1]],
    ]);
    expect(rows[0].tz).toBe('2024-01-02 03:04:05+00');
    expect(rows[0].str).toBe('multi\nline "quoted"');
  });

  it('csv writes every cell as text, multi-line values quoted', async () => {
    const output = join(dir, 'out.csv');
    expect((await create(output, { TZ: 'America/New_York' })).code).toBe(0);
    const rows = (await readTable(output)).rows;
    expect(rows.map((r) => [r.id, r.tz, r.dbl, r.str, r.prediction])).toEqual([
      ['1', '2024-01-02 03:04:05+00', 'nan', 'multi\nline "quoted"', EXPECTED[0]],
      ['2', null, '-1e+300', null, EXPECTED[1]],
    ]);
  });
});
