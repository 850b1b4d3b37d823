/** SQL text helpers for the few statements evalctl builds itself. */

/** A DuckDB identifier, quoted: `Product "Name"` -> `"Product ""Name"""`. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A SQL expression rendering `column` (of DuckDB type `type`) as prompt text, or NULL.
 * DuckDB's own casts give a stable, readable form: `42`, `1.5`, `true`, `2024-01-02`,
 * `2024-01-02 03:04:05`; lists, structs and maps become JSON (`[1,2]`, `{"x":1}`); binary that
 * is valid UTF-8 becomes its text (parquet writers often store strings as plain binary), or
 * in an `image` column a base64 data: URL.
 */
export function renderExpression(column: string, type: string, image = false): string {
  const col = ident(column);
  if (type === 'VARCHAR') return col;
  // An image column's bytes travel as a data: URL (the type is sniffed from the bytes later).
  if (type === 'BLOB' && image) return `'data:application/octet-stream;base64,' || base64(${col})`;
  if (type === 'BLOB') return `coalesce(try(decode(${col})), ${col}::VARCHAR)`;
  if (/[\[\]]|^(STRUCT|MAP|UNION|JSON)\b/.test(type)) return `to_json(${col})::VARCHAR`;
  return `${col}::VARCHAR`;
}
