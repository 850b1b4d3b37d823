import type { OutputColumn } from '../output/columns.js';
import { literal } from '../sql.js';

/**
 * A generating variant's columns: `<prefix>` the image's path relative to the output's folder,
 * `<prefix>_status`, `<prefix>_error`, and with `--embed-images` (parquet) `<prefix>_image`, the
 * image's bytes as a BLOB, read by DuckDB from the images folder as the output is written (the
 * files stay: they are what the answer log points at).
 */
export function generatedImageColumns(prefix: string, x: string, status: string, folder: string | undefined, embed: boolean): OutputColumn[] {
  const columns: OutputColumn[] = [
    { name: prefix, sql: `${x}.answer` },
    { name: `${prefix}_status`, sql: status },
    { name: `${prefix}_error`, sql: `${x}.error` },
  ];
  if (embed) {
    // A correlated lookup DuckDB turns into a join on the file name; an empty folder matches nothing.
    const bytes = folder === undefined ? 'NULL::BLOB' : `(SELECT b.content FROM read_blob(${literal(`${folder}/*`)}) b WHERE b.filename = ${literal(`${folder}/`)} || parse_filename(${x}.answer))`;
    columns.push({ name: `${prefix}_image`, sql: `CASE WHEN ${x}.status IN ('answered', 'cached') THEN ${bytes} END` });
  }
  return columns;
}
