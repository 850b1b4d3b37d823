import { DuckDBInstance } from '@duckdb/node-api';
import { literal } from '../../src/core/sql.js';

/**
 * Reads any table file through DuckDB (independently of evalctl's reader), as JSON-like rows
 * (`getRowObjectsJson`: BIGINT as string, dates as `YYYY-MM-DD`), plus column names and types.
 * CSV is read as text so cells compare exactly.
 */
export async function readTable(path: string): Promise<{ columns: { name: string; type: string }[]; rows: Record<string, unknown>[] }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = path.endsWith('.parquet') ? `read_parquet(${literal(path)})`
      : path.endsWith('.csv') ? `read_csv(${literal(path)}, header = true, all_varchar = true, max_line_size = 100000000)`
      : path.endsWith('.tsv') ? `read_csv(${literal(path)}, header = true, all_varchar = true, delim = '\t')`
      : `read_json(${literal(path)})`;
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`);
    const columns = described.getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    const result = await connection.runAndReadAll(`SELECT * FROM ${reader}`);
    return { columns, rows: result.getRowObjectsJson() as Record<string, unknown>[] };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Runs SQL (e.g. COPY to write a fixture) in a throwaway DuckDB. */
export async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const result = await connection.runAndReadAll(sql);
    return result.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
