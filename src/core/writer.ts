import { readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeAnswersByRow } from './answers-by-row.js';
import { numberedSource, type Dataset } from './dataset.js';
import { EvalctlError, UsageError, messageOf } from './errors.js';
import { ident, literal } from './sql.js';
import { ANSWER_STRUCT, type OutputColumn } from './output/columns.js';

export const OUTPUT_FORMATS = ['parquet', 'csv', 'tsv', 'jsonl', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface WriteOptions {
  readonly output: string;
  readonly format: OutputFormat;
  /** The columns added after the input's, in order (see `answerColumns`). */
  readonly columns: readonly OutputColumn[];
  /** Variants in the job: entries per row in the row-ordered answers. */
  readonly variants: number;
  /** The job's answer log. */
  readonly answersPath: string;
  /** Which rows go out: all, the first n, or the listed row numbers. */
  readonly selection: RowSelection;
  /** More logs in the answer log's line format (a judge's), read as `a.<key>[lane]` of DuckDB type `struct`. */
  readonly extraLogs?: readonly ExtraLog[];
  /** Runs on the row-ordered answers (a DuckDB relation) once the output is written. */
  readonly afterWrite?: (connection: DuckDBConnection, answers: string) => Promise<void>;
  /** Key-value metadata for a parquet output (a shard's range and settings, for `merge`). */
  readonly metadata?: Record<string, string>;
}

export interface ExtraLog {
  readonly key: string;
  readonly path: string;
  readonly lanes: number;
  readonly struct: string;
}

export type RowSelection = { kind: 'all' } | { kind: 'first'; count: number } | { kind: 'rows'; path: string } | { kind: 'range'; start: number; end: number };

/**
 * Writes every input column with its type, in file order, plus the added columns, holding
 * neither the table nor the answers in memory: the answer log is put in row order, one line
 * per selected row (see `writeAnswersByRow`), then one DuckDB COPY walks it in step with the
 * source (POSITIONAL JOIN: no hash table, no sort), checking every row number matches (a
 * mismatch fails the write rather than misplacing an answer). The output appears under its
 * name only when complete (written beside it, then renamed).
 */
export async function writeOutput(dataset: Dataset, options: WriteOptions): Promise<void> {
  const existing = new Set(dataset.columns.map((c) => c.name));
  // evalctl's row numbers, under a name no input column has (see Dataset.rowColumn).
  const ROW = ident(dataset.rowColumn);
  const aligned = (value: string) => `CASE WHEN a.row IS NOT DISTINCT FROM s.${ROW} THEN ${value} ELSE error('evalctl: answers out of step with the rows at row ' || coalesce(s.${ROW}::VARCHAR, 'past the end')) END`;
  const added = options.columns.map((column, i) => [column.name, i === 0 ? aligned(column.sql) : column.sql] as const);
  const replaced = added.filter(([name]) => existing.has(name)).map(([name, sql]) => `${sql} AS ${ident(name)}`);
  if (options.format === 'json' || options.format === 'jsonl') replaced.push(...jsonSafeFloats(dataset, new Set(added.map(([name]) => name))));
  const appended = added.filter(([name]) => !existing.has(name)).map(([name, sql]) => `${sql} AS ${ident(name)}`);
  const star = `s.* EXCLUDE (${ROW})${replaced.length ? ` REPLACE (${replaced.join(', ')})` : ''}`;
  const byRow = dataset.tempFile('answers-by-row.jsonl');
  // DuckDB's JSON reader allocates twice this for its buffer whatever the lines' length (at 1 GB
  // the write took 760 MB for 1,000,000 short rows), so it is sized to the longest line written.
  const answersOf = (longestLine: number) => `read_json(${literal(byRow)}, format = 'newline_delimited', maximum_object_size = ${objectSize(longestLine)},
      columns = {row: 'BIGINT', a: '${ANSWER_STRUCT}[]'${(options.extraLogs ?? []).map((log) => `, ${log.key}: '${log.struct}[]'`).join('')}})`;
  const queryOf = (answers: string) => `SELECT ${[star, ...appended].join(', ')}
    FROM (SELECT * FROM (${numberedSource(dataset.rowColumn)}) ${selectionFilter(options.selection, ROW)}) s
    POSITIONAL JOIN ${answers} a`;

  const partial = join(dirname(options.output), `.${basename(options.output)}.${process.pid}.partial`);
  const connection = await dataset.connect();
  try {
    removeStalePartials(options.output);
    const { longestLine } = await writeAnswersByRow({ logPath: options.answersPath, outPath: byRow, rowCount: dataset.rowCount, variants: options.variants, rows: selectedRows(options.selection, dataset.rowCount), extra: options.extraLogs?.map((log) => ({ key: log.key, logPath: log.path, lanes: log.lanes })) });
    const metadata = options.format === 'parquet' && options.metadata ? `, KV_METADATA {${Object.entries(options.metadata).map(([key, value]) => `${ident(key)}: ${literal(value)}`).join(', ')}}` : '';
    const answers = answersOf(longestLine);
    const copy = `COPY (${queryOf(answers)}) TO ${literal(partial)} (${copyOptions(options.format, rowGroupSize(dataset, options.answersPath))}${metadata})`;
    await withMoreMemoryIfNeeded(connection, () => connection.run(copy));
    renameSync(partial, options.output);
    await options.afterWrite?.(connection, answers);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new EvalctlError(`Could not write ${options.output}: ${messageOf(error).split('\n')[0]}`, {
      code: 'output',
      hint: 'Every answer is kept in the job; fix the problem and run `evalctl resume` to write the file again.',
      cause: error,
    });
  } finally {
    rmSync(byRow, { force: true });
    connection.closeSync();
  }
}

/** `maximum_object_size` for lines of row-ordered answers: the longest, rounded up to a power of two, at least 1 MB. */
export function objectSize(longestLine: number): number {
  let size = 1 << 20;
  while (size < longestLine + 1) size *= 2;
  return size;
}

/**
 * JSON has no NaN or Infinity, and DuckDB writes them bare (`"x":NaN`), which no JSON parser
 * reads; they go out as null, as JSON.stringify and pandas write them.
 */
function jsonSafeFloats(dataset: Dataset, skip: ReadonlySet<string>): string[] {
  return dataset.columns
    .filter((c) => (c.type === 'DOUBLE' || c.type === 'FLOAT') && !skip.has(c.name))
    .map((c) => `CASE WHEN isfinite(s.${ident(c.name)}) THEN s.${ident(c.name)} END AS ${ident(c.name)}`);
}

/**
 * DuckDB runs lean (see Dataset.open) and spills to disk, but a few operators cannot spill; if
 * the write still runs out of memory (very wide rows), it is retried with more rather than
 * leaving a job whose answers are paid for without its output.
 */
async function withMoreMemoryIfNeeded(connection: DuckDBConnection, write: () => Promise<unknown>): Promise<void> {
  for (const limit of ['1GB', '8GB']) {
    try {
      await write();
      return;
    } catch (error) {
      if (!/out of memory/i.test(messageOf(error))) throw error;
      await connection.run(`SET memory_limit = '${limit}'`);
    }
  }
  await write();
}

/** The WHERE clause keeping the selected rows; only a seeded sample needs a (small) join. */
function selectionFilter(selection: RowSelection, ROW: string): string {
  switch (selection.kind) {
    case 'all': return '';
    case 'first': return `WHERE ${ROW} < ${selection.count}`;
    case 'rows': return `WHERE ${ROW} IN (SELECT unnest(rows) FROM read_json(${literal(selection.path)}, columns = {rows: 'BIGINT[]'}))`;
    case 'range': return `WHERE ${ROW} >= ${selection.start} AND ${ROW} < ${selection.end}`;
  }
}

/** The row numbers that go out, ascending. */
export function* selectedRows(selection: RowSelection, rowCount: number): Generator<number> {
  if (selection.kind === 'rows') {
    yield* [...(JSON.parse(readFileSync(selection.path, 'utf8')) as { rows: number[] }).rows].sort((a, b) => a - b);
    return;
  }
  const start = selection.kind === 'range' ? selection.start : 0;
  const end = selection.kind === 'first' ? Math.min(selection.count, rowCount) : selection.kind === 'range' ? Math.min(selection.end, rowCount) : rowCount;
  for (let row = start; row < end; row++) yield row;
}

/**
 * Parquet buffers a whole row group in memory before writing it; size groups to about 4 MB of
 * row data (estimated from the source file and the answer log) so wide rows stay lean.
 */
function rowGroupSize(dataset: Dataset, answersPath: string): number {
  const bytesPerRow = (statSync(dataset.path).size * 4 + statSync(answersPath).size) / dataset.rowCount;
  return Math.max(1024, Math.min(122_880, Math.floor(4_000_000 / Math.max(1, bytesPerRow))));
}

/** A writer killed mid-COPY leaves `.<name>.<pid>.partial` beside the output; a later write clears it. */
function removeStalePartials(output: string): void {
  const prefix = `.${basename(output)}.`;
  for (const name of readdirSync(dirname(output))) {
    if (name.startsWith(prefix) && name.endsWith('.partial')) rmSync(join(dirname(output), name), { force: true });
  }
}

export function copyOptions(format: OutputFormat, rowGroupSize: number): string {
  switch (format) {
    case 'parquet': return `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupSize}`;
    case 'csv': return 'FORMAT csv, HEADER true';
    case 'tsv': return `FORMAT csv, HEADER true, DELIMITER '\t'`;
    case 'jsonl': return 'FORMAT json';
    case 'json': return 'FORMAT json, ARRAY true';
  }
}

export function outputFormatFromPath(path: string): OutputFormat {
  const extension = extname(path).toLowerCase().slice(1);
  if (extension === 'ndjson') return 'jsonl';
  if ((OUTPUT_FORMATS as readonly string[]).includes(extension)) return extension as OutputFormat;
  throw new UsageError(
    `Cannot tell the output format from "${basename(path)}".`,
    'End --output with .parquet, .csv, .tsv, .jsonl, .ndjson or .json.',
  );
}
