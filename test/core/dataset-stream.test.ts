import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/core/dataset.js';
import { ident, literal, renderExpression } from '../../src/core/sql.js';
import { tempDir } from '../helpers/cli.js';
import { duckdb } from '../helpers/table.js';

// Dataset.open / stream on small real files: row numbers, file order, chunking, rendering.

const { dir, cleanup } = tempDir();
const csv = join(dir, 'rows.csv');
const parquet = join(dir, 'typed.parquet');
const ROWS = 5000; // more than two DuckDB chunks of 2,048

beforeAll(async () => {
  writeFileSync(csv, 'n,Product Name\n' + Array.from({ length: ROWS }, (_, i) => `${String(i).padStart(4, '0')},"p ""${i}"""`).join('\n') + '\n');
  await duckdb(`COPY (SELECT * FROM (VALUES (1, DATE '2024-01-02', [1, 2], {'x': 'y'}), (NULL, NULL, NULL, NULL)) t(i, d, l, s)) TO '${parquet}' (FORMAT parquet)`);
});
afterAll(cleanup);

async function collect(dataset: Dataset, columns: string[], limit?: number) {
  const rows: number[] = [];
  const values: (string | null)[][] = [];
  let chunks = 0;
  for await (const chunk of dataset.stream(columns, limit)) {
    chunks += 1;
    rows.push(...chunk.rows);
    values.push(...chunk.values);
  }
  return { rows, values, chunks };
}

describe('Dataset', () => {
  it('reads the schema and counts rows; CSV columns are text', async () => {
    const dataset = await Dataset.open(csv);
    try {
      expect(dataset.columns).toEqual([{ name: 'n', type: 'VARCHAR' }, { name: 'Product Name', type: 'VARCHAR' }]);
      expect(dataset.rowCount).toBe(ROWS);
      expect(dataset.format).toBe('csv');
      expect(dataset.label).toBe('rows.csv');
    } finally {
      dataset.close();
    }
  });

  it('streams every row in file order, numbered from 0, across chunks', async () => {
    const dataset = await Dataset.open(csv);
    try {
      const { rows, values, chunks } = await collect(dataset, ['Product Name', 'n']);
      expect(chunks).toBeGreaterThanOrEqual(3);
      expect(rows).toEqual(Array.from({ length: ROWS }, (_, i) => i));
      expect(values[0]).toEqual(['p "0"', '0000']);
      expect(values[ROWS - 1]).toEqual([`p "${ROWS - 1}"`, String(ROWS - 1)]);
    } finally {
      dataset.close();
    }
  });

  it.each([[1, [0]], [3, [0, 1, 2]], [2049, Array.from({ length: 2049 }, (_, i) => i)]])('stops after the first %i rows', async (limit, expected) => {
    const dataset = await Dataset.open(csv);
    try {
      expect((await collect(dataset, ['n'], limit)).rows).toEqual(expected);
    } finally {
      dataset.close();
    }
  });

  it('can stream twice from one dataset (estimate, then run)', async () => {
    const dataset = await Dataset.open(csv);
    try {
      await collect(dataset, ['n'], 10);
      expect((await collect(dataset, ['n'])).rows).toHaveLength(ROWS);
    } finally {
      dataset.close();
    }
  });

  it('renders typed parquet values as text, null as null', async () => {
    const dataset = await Dataset.open(parquet);
    try {
      expect(dataset.columns.map((c) => c.type)).toEqual(['INTEGER', 'DATE', 'INTEGER[]', 'STRUCT(x VARCHAR)']);
      const { values } = await collect(dataset, ['i', 'd', 'l', 's']);
      expect(values).toEqual([['1', '2024-01-02', '[1,2]', '{"x":"y"}'], [null, null, null, null]]);
    } finally {
      dataset.close();
    }
  });
});

describe('sql helpers', () => {
  it.each([['a', '"a"'], ['Product Name', '"Product Name"'], ['say "hi"', '"say ""hi"""']])('ident(%j) = %s', (name, quoted) => {
    expect(ident(name)).toBe(quoted);
  });

  it.each([["it's", "'it''s'"], ['plain', "'plain'"], ["''", "''''''"]])('literal(%j) = %s', (value, quoted) => {
    expect(literal(value)).toBe(quoted);
  });

  it.each([
    ['VARCHAR', '"c"'],
    ['BIGINT', '"c"::VARCHAR'],
    ['DATE', '"c"::VARCHAR'],
    ['BLOB', 'coalesce(try(decode("c")), "c"::VARCHAR)'],
    ['INTEGER[]', 'to_json("c")::VARCHAR'],
    ['VARCHAR[3]', 'to_json("c")::VARCHAR'],
    ['STRUCT(x INTEGER)', 'to_json("c")::VARCHAR'],
    ['MAP(VARCHAR, INTEGER)', 'to_json("c")::VARCHAR'],
    ['JSON', 'to_json("c")::VARCHAR'],
  ])('renderExpression for %s', (type, sql) => {
    expect(renderExpression('c', type)).toBe(sql);
  });
});
