import type { OutputColumn } from '../output/columns.js';

/**
 * An embedding variant's columns: `<prefix>` the vector (FLOAT[n] when the length is known,
 * else FLOAT[]; parquet has no fixed-size lists, so there it is a list of FLOAT, every one n
 * long; the JSON array as text in CSV/TSV), `<prefix>_status`, `<prefix>_error`. The
 * vectors sit in the answer log as JSON arrays and are cast by DuckDB as it writes, so they
 * are never all in memory.
 */
export function embeddingColumns(prefix: string, x: string, status: string, dimensions: number | null, format: string | undefined): OutputColumn[] {
  const flat = format === 'csv' || format === 'tsv';
  const text = `CASE WHEN ${x}.status IN ('answered', 'cached') THEN ${x}.answer END`;
  // The cast outside the CASE: DuckDB has no CASE over ARRAY types.
  return [
    { name: prefix, sql: flat ? text : `(${text})::FLOAT[${dimensions ?? ''}]` },
    { name: `${prefix}_status`, sql: status },
    { name: `${prefix}_error`, sql: `${x}.error` },
  ];
}
