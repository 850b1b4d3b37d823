// Loads a table's rows and renders a simple `{column}` template over them, for the bare loop.
// CSV is read as text, as evalctl reads it, so the prompts are byte-for-byte the same.
import { duckdb } from '../test/helpers/table.js';
import { ident, literal } from '../src/core/sql.js';

/** Every row's rendered prompt, in file order (nulls render as empty text, as in evalctl). */
export async function loadPrompts(file: string, template: string): Promise<string[]> {
  const columns = [...new Set([...template.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]))];
  const reader = file.endsWith('.parquet') ? `read_parquet(${literal(file)})` : `read_csv(${literal(file)}, header = true, all_varchar = true)`;
  const select = columns.map((c, i) => `${ident(c)}::VARCHAR AS c${i}`).join(', ');
  const rows = await duckdb(`SELECT ${select} FROM ${reader}`);
  return rows.map((row) => template.replace(/\{([^{}]+)\}/g, (_, c: string) => String(row[`c${columns.indexOf(c)}`] ?? '')));
}
