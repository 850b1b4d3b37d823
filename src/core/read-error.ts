import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Encoding, InputFormat } from './dataset.js';
import { InputError, messageOf } from './errors.js';
import { headerShape, lineLongerThan } from './sniff.js';
import { literal } from './sql.js';

/**
 * Turns DuckDB's reader errors into one line naming the file, the line at fault when DuckDB
 * says, and what is wrong. DuckDB has no error codes for these: its messages are matched here
 * and nowhere else (one case per pattern in test/e2e/hostile-data.test.ts and bad-input.test.ts).
 */
export function readError(path: string, format: InputFormat, error: unknown): InputError {
  const name = basename(path);
  const full = messageOf(error);
  const detail = full.split('\n')[0].replace(/^[A-Za-z ]+Error: /, '');
  const kind = format.toUpperCase();
  const line = /CSV Error on Line: (\d+)/.exec(full)?.[1];
  if (/magic bytes|not a parquet file/i.test(detail)) {
    return new InputError(`${name} is not a valid parquet file (${detail}).`, 'Check the file is complete, or name its real format with --input-format.', error);
  }
  const fields = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(full);
  if (fields) {
    return new InputError(
      `${name} line ${line ?? '?'} has ${fields[2]} fields, but the header has ${fields[1]}.`,
      'Fix that row: a delimiter missing or extra, or a value holding a delimiter without "quotes" around it.',
      error,
    );
  }
  const long = /Maximum line size of (\d+) bytes exceeded/.exec(full);
  if (long) {
    // DuckDB counts lines from where its reader stood; find the real line.
    const at = lineLongerThan(path, Number(long[1])) ?? line;
    return new InputError(
      `${name} line ${at ?? '?'} is longer than DuckDB's limit of ${Number(long[1]).toLocaleString('en-US')} bytes for one row.`,
      'Shorten or drop that row, or keep the long text in a file of its own.',
      error,
    );
  }
  if (/utf-8|unicode/i.test(full)) {
    // Plain files are checked before DuckDB reads them (sniff.ts); this is for .gz and .zst.
    const where = line ? ` (line ${line})` : '';
    return format === 'csv' || format === 'tsv'
      ? new InputError(`${name} is not UTF-8${where}: try --encoding latin-1.`, 'Or convert it to UTF-8 first.', error)
      : new InputError(`${name} is not UTF-8${where}; ${kind} must be UTF-8.`, 'Convert it to UTF-8 first, or give the real format with --input-format.', error);
  }
  if (/error when sniffing file/i.test(detail)) {
    return new InputError(`${name} does not look like ${kind}: its delimiter, quoting and encoding could not be detected.`, 'Check it is a UTF-8 table with a header row, or name its real format with --input-format.', error);
  }
  if (/out of memory/i.test(full)) {
    return new InputError(`${name} holds a value too large to read: ${detail.replace(/^failed/, 'DuckDB failed')}.`, 'Select fewer or smaller columns into another file and run on that.', error);
  }
  if (/permission denied/i.test(detail)) {
    return new InputError(`Cannot read ${name}: permission denied.`, undefined, error);
  }
  return new InputError(`Cannot read ${name} as ${kind}: ${detail}`, 'Check the file is valid, or name its real format with --input-format.', error);
}

/**
 * Why DuckDB's CSV sniffer gave up (or settled for one column): reads the file strictly with the
 * header's delimiter and field count, and returns DuckDB's error naming the first row that does
 * not fit, or undefined when every row fits (the sniffer failed for another reason).
 */
export async function csvProblem(connection: DuckDBConnection, path: string, format: InputFormat, encoding: Encoding): Promise<unknown> {
  if (format !== 'csv' && format !== 'tsv') return undefined;
  const { delimiter, fields } = headerShape(path, format);
  if (fields < 2) return undefined;
  const columns = `{${Array.from({ length: fields }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ')}}`;
  // header = false: the header line is checked too, and lines keep their numbers in the file.
  const options = `header = false, auto_detect = false, delim = ${literal(delimiter)}, quote = '"', escape = '"', encoding = ${literal(encoding)}, columns = ${columns}`;
  try {
    await connection.run(`SELECT count(*) FROM read_csv(${literal(path)}, ${options})`);
    return undefined;
  } catch (error) {
    const message = messageOf(error);
    // A header that does not fit is a wrong guess of its shape (a quoted delimiter), not a bad row.
    if (/CSV Error on Line: 1\b/.test(message)) return undefined;
    return /Expected Number of Columns|Maximum line size/.test(message) ? error : undefined;
  }
}
