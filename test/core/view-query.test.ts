import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatement, likePattern, pageStatement, parseRowQuery, VIEW_ROW } from '../../src/core/view/query.js';
import { viewSchema, type ViewSchema } from '../../src/core/view/schema.js';
import { OutputTable } from '../../src/core/view/table.js';
import { duckdb } from '../helpers/table.js';

// The viewer's queries: column names only from the schema, request text only as bound
// parameters, paging and sorting checked against a real DuckDB over a small output file.

const dir = mkdtempSync(join(tmpdir(), 'evalctl-view-query-'));
const path = join(dir, 'out.parquet');
const EVIL = 'x"; DROP TABLE t; --';
let table: OutputTable;
let schema: ViewSchema;
beforeAll(async () => {
  // 30 rows; a column whose name needs quoting; every third answer failed.
  await duckdb(`COPY (SELECT i AS id, 'review ' || i AS review, i % 7 AS "${EVIL.replaceAll('"', '""')}",
      CASE WHEN i % 3 = 0 THEN NULL ELSE 'A:' || i END AS prediction,
      CASE WHEN i % 3 = 0 THEN 'failed' ELSE 'answered' END AS prediction_status,
      CASE WHEN i % 3 = 0 THEN 'HTTP 500' END AS prediction_error
    FROM range(30) t(i)) TO '${path}' (FORMAT parquet)`);
  table = await OutputTable.open(path);
  schema = viewSchema(table.columns);
});
afterAll(() => { table?.close(); rmSync(dir, { recursive: true, force: true }); });

const query = (text: string) => parseRowQuery(new URLSearchParams(text), schema);

describe('parseRowQuery refuses what is not in the schema', () => {
  it.each([
    ['sort=nope', /Cannot sort by "nope"/],
    ['sort=review;DROP', /Cannot sort by/],
    ['limit=201', /limit must be a whole number from 0 to 200/],
    ['limit=-1', /limit must be/],
    ['offset=1e3', /offset must be/],
    ['variant=1', /variant must be a whole number from 0 to 0/],
    ['judge=maybe', /judge must be pass or fail/],
  ])('%s', (text, message) => {
    expect(() => query(text)).toThrow(message);
  });
});

it('finds the variant by its _status and _error columns; the other text columns are searched', () => {
  expect(schema.variants.map((v) => [v.answer, v.status, v.error])).toEqual([['prediction', 'prediction_status', 'prediction_error']]);
  expect(schema.promptColumns).toEqual(['review']);
});

it('request text reaches DuckDB only as parameters; column names are quoted', () => {
  const q = query(`q=${encodeURIComponent("'; DROP TABLE x; --")}&sort=${encodeURIComponent(EVIL)}&truth=${encodeURIComponent("a' OR 1=1")}`);
  const statement = pageStatement(q, schema, 'v');
  expect(statement.sql).not.toContain('DROP TABLE x');
  expect(statement.sql).not.toContain("a' OR");
  expect(statement.sql).toContain(`ORDER BY "x""; DROP TABLE t; --" ASC`);
  expect(statement.params).toMatchObject({ search: "%'; DROP TABLE x; --%", limit: 50, offset: 0 });
});

it.each([
  ['50%', '%50\\%%'],
  ['a_b', '%a\\_b%'],
  ['back\\slash', '%back\\\\slash%'],
])('likePattern(%j) = %j', (text, pattern) => {
  expect(likePattern(text)).toBe(pattern);
});

describe('pages from a real DuckDB', () => {
  const rowsOf = async (text: string) => (await table.page(query(text), schema)).rows.map((r) => Number(r[VIEW_ROW]));
  it.each([
    ['', Array.from({ length: 30 }, (_, i) => i).slice(0, 30)],
    ['limit=5&offset=10', [10, 11, 12, 13, 14]],
    ['limit=5&offset=28', [28, 29]],
    ['offset=40', []],
    ['limit=4&dir=desc', [29, 28, 27, 26]],
    [`sort=${encodeURIComponent(EVIL)}&limit=5`, [0, 7, 14, 21, 28]],
    [`sort=${encodeURIComponent(EVIL)}&dir=desc&limit=3`, [6, 13, 20]],
    ['failed=1&limit=4&offset=2', [6, 9, 12, 15]],
    ['q=A:1&limit=100', [1, 10, 11, 13, 14, 16, 17, 19]],
    ['q=REVIEW 2', [2, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]],
    [`q=${encodeURIComponent("'; DROP")}`, []],
    // No ground truth in this file: a label filter keeps nothing (and binds nothing DuckDB would refuse).
    ['truth=neutral', []],
    ['truth=neutral&predicted=a:1', []],
  ])('%j', async (text, expected) => {
    expect(await rowsOf(text)).toEqual(expected);
  });

  it('counts the filtered rows over the whole file, not the page', async () => {
    expect((await table.page(query('failed=1&limit=2'), schema)).total).toBe(10);
    expect((await table.page(query('limit=2'), schema)).total).toBe(30);
    expect(countStatement(query('failed=1'), schema, 'v').sql).toMatch(/^SELECT count\(\*\)/);
  });

  it('the table reads no other file: DuckDB refuses', async () => {
    await expect(table.all({ sql: `SELECT * FROM read_csv('/etc/hostname')`, params: {} })).rejects.toThrow(/disabled by configuration/);
    await expect(table.all({ sql: `COPY (SELECT 1) TO '${join(dir, 'x.csv')}'`, params: {} })).rejects.toThrow(/disabled by configuration/);
  });
});
