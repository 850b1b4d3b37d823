import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { sha256 } from '../helpers/create.js';
import { readTable } from '../helpers/table.js';

// Real-world parquet from apache/parquet-testing (copied into test/fixtures), written by parquet-cpp,
// parquet-mr, Rust and Spark, run through `create` with the offline echo model (answer = the
// rendered prompt). Each either succeeds, every input column coming back with its type and
// values, or fails with one clear line.

const FIXTURES = resolve(import.meta.dirname, '../fixtures/parquet-testing');
const { dir, cleanup } = tempDir();
afterAll(cleanup);

const run = (file: string, template: string, output: string) =>
  runCli(['create', join(FIXTURES, file), '-p', template, '-m', 'echo', '-o', output], { cwd: dir, env: { EVALCTL_HOME: join(dir, 'home') } });

/** Splits a rendered prompt on `|` and parses the parts at `jsonParts` as JSON. */
const parsedParts = (prompt: string, jsonParts: number[]) =>
  jsonParts.map((i) => prompt.split('|')[i]).filter((part) => part !== '').map((part) => JSON.parse(part));

describe.each([
  // [file, template, rows, the first row rendered, which `|`-separated parts are JSON]
  ['alltypes_plain.snappy.parquet', '{id}|{bool_col}|{tinyint_col}|{bigint_col}|{float_col}|{double_col}|{date_string_col}|{string_col}|{timestamp_col}', 2,
    '6|true|0|0|0.0|0.0|04/01/09|0|2009-04-01 00:00:00', []],
  ['alltypes_dictionary.parquet', '{id}|{string_col}|{timestamp_col}', 2, '0|0|2009-01-01 00:00:00', []],
  ['byte_stream_split.zstd.parquet', '{f32}|{f64}', 300, '1.7640524|-1.3065268517353166', []],
  ['datapage_v2.snappy.parquet', '{a}|{b}|{c}|{d}|{e}', 5, 'abc|1|2.0|true|[1,2,3]', [4]],
  ['list_columns.parquet', '{int64_list}|{utf8_list}', 3, '[1,2,3]|["abc","efg","hij"]', [0, 1]],
  ['lz4_raw_compressed.parquet', '{c0}|{c1}|{v11}', 4, '1593604800|abc|42.0', []],
  ['nested_lists.snappy.parquet', '{a}|{b}', 3, '[[["a","b"],["c"]],[null,["d"]]]|1', [0]],
  ['nested_maps.snappy.parquet', '{a}|{b}|{c}', 6, '{"a":{"1":true,"2":false}}|1|1.0', [0]],
  ['nested_structs.rust.parquet', '{roll_num}|{count}', 1,
    '{"min":190406409000602,"max":190407175004000,"mean":190406671229999,"count":495,"sum":94251302258849568,"variance":0}|{"min":1,"max":1,"mean":1,"count":495,"sum":495,"variance":0}', [0, 1]],
  ['null_list.parquet', '{emptylist}', 1, '[]', [0]],
  ['nulls.snappy.parquet', '{b_struct}', 8, '{"b_c_int":null}', [0]],
] as const)('%s', (file, template, rows, first, jsonParts) => {
  it(`renders ${rows} rows and keeps every column and type`, async () => {
    const input = join(FIXTURES, file);
    const output = join(dir, file.replace('.parquet', '.out.parquet'));
    const before = sha256(input);
    const result = await run(file, template, output);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    // Repeated prompts (nulls.snappy.parquet has 8 equal rows) are answered once and reused.
    expect(result.stderr).toMatch(new RegExp(`rows {7}${rows} done, 0 failed(, \\d+ repeated prompts? \\(sent once\\))? \\(of ${rows}\\)`));

    const [source, written] = await Promise.all([readTable(input), readTable(output)]);
    expect(written.columns).toEqual([...source.columns, { name: 'prediction', type: 'VARCHAR' }, { name: 'prediction_status', type: 'VARCHAR' }, { name: 'prediction_error', type: 'VARCHAR' }]);
    expect(written.rows.map(({ prediction: _, prediction_status: _s, prediction_error: __, ...rest }) => rest)).toEqual(source.rows);
    expect(written.rows[0].prediction).toBe(first);
    expect(written.rows.every((row) => typeof row.prediction === 'string' && row.prediction_error === null)).toBe(true);
    // Lists, structs and maps render as JSON an LLM (or a person) can read back.
    for (const row of written.rows) expect(() => parsedParts(row.prediction as string, [...jsonParts])).not.toThrow();
    expect(sha256(input)).toBe(before);
  });
});

it('renders a FLOAT as its shortest form, not the widened double', async () => {
  const output = join(dir, 'floats.jsonl');
  const result = await run('alltypes_plain.snappy.parquet', '{float_col}', output);
  expect(result.code, result.stderr).toBe(0);
  expect((await readTable(output)).rows.map((r) => r.prediction)).toEqual(['0.0', '1.1']);
});

it('fails in one line, before any job or output, on a value too large to load', async () => {
  const output = join(dir, 'large.parquet');
  const jobsBefore = existsSync(join(dir, 'home', 'jobs')) ? readdirSync(join(dir, 'home', 'jobs')).length : 0;
  const result = await run('large_string_map.brotli.parquet', '{arr}', output);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^evalctl: large_string_map\.brotli\.parquet holds a value too large to read: .*2\.0 GiB/);
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(result.stderr).not.toMatch(/\n\s+at |Out of Memory Error|Possible solutions/);
  expect(existsSync(output)).toBe(false);
  const jobsAfter = existsSync(join(dir, 'home', 'jobs')) ? readdirSync(join(dir, 'home', 'jobs')).length : 0;
  expect(jobsAfter).toBe(jobsBefore);
});

it('covers every file in the fixture directory', () => {
  const covered = ['alltypes_plain', 'alltypes_dictionary', 'byte_stream_split', 'datapage_v2', 'list_columns', 'lz4_raw_compressed',
    'nested_lists', 'nested_maps', 'nested_structs', 'null_list', 'nulls', 'large_string_map'];
  expect(readdirSync(FIXTURES).map((f) => f.split('.')[0]).sort()).toEqual(covered.sort());
});
