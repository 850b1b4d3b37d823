import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { InputError, UsageError } from './errors.js';
import { mayBeRenamed, renamedHeaderWarning } from './header.js';
import { csvProblem, readError } from './read-error.js';
import { ident, literal, renderExpression } from './sql.js';
import { checkContent, firstLine, headerShape } from './sniff.js';

export const INPUT_FORMATS = ['parquet', 'csv', 'tsv', 'jsonl', 'json'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Text encodings DuckDB's CSV reader takes without extensions; JSON is always UTF-8. */
export const ENCODINGS = ['utf-8', 'utf-16', 'latin-1'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export interface Column {
  readonly name: string;
  /** DuckDB's type name, e.g. `VARCHAR`, `BIGINT`, `DATE`, `VARCHAR[]`, `STRUCT(x INTEGER)`. */
  readonly type: string;
}

/** Row number column added to the source; rows are numbered 0.. in file order. */
export const ROW = '__evalctl_row';

/** One streamed chunk: row numbers and, per row, the rendered text of the requested columns. */
export interface RowChunk {
  readonly rows: number[];
  readonly values: (string | null)[][];
}

/**
 * A table opened through DuckDB. The view `evalctl_source` reads the file; nothing is loaded
 * into memory until streamed. CSV and TSV are read as text, so values go back out unchanged
 * (`007` stays `007`); parquet and JSON keep their types.
 */
export class Dataset {
  private constructor(
    readonly path: string,
    readonly format: InputFormat,
    readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly columns: readonly Column[],
    readonly rowCount: number,
    private readonly spillDirectory: string,
    /**
     * The column of evalctl's row numbers in `numberedSource(rowColumn)`: `__evalctl_row`, or
     * `__evalctl_row_2`... when the source has a column of that name (compared as DuckDB does,
     * ignoring case).
     */
    readonly rowColumn: string,
    /** Things the user should know before a run, e.g. header names DuckDB changed; one line each. */
    readonly warnings: readonly string[],
  ) {}

  /** The file name as users see it in messages. */
  get label(): string {
    return basename(this.path);
  }

  /**
   * Opens `source`, checks it is a readable table with at least one row, and reads its schema.
   * Several files (a glob, a folder) are read as one table, in the order given, all in one format.
   */
  static async open(source: string | readonly string[], options: { format?: InputFormat; encoding?: Encoding } = {}): Promise<Dataset> {
    const files = typeof source === 'string' ? [source] : source;
    const path = files[0];
    files.forEach(checkFile);
    const format = options.format ?? sameFormat(files);
    const encoding = options.encoding ?? 'utf-8';
    if (encoding !== 'utf-8' && format !== 'csv' && format !== 'tsv') {
      throw new UsageError(`--encoding ${encoding} is for CSV and TSV sources; ${basename(path)} is read as ${format.toUpperCase()}, which is always UTF-8.`, 'Leave out --encoding, or convert the file to UTF-8.');
    }
    for (const file of files) checkContent(file, format, encoding);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    // DuckDB's share of memory stays small whatever the table's size: one thread (reading is
    // never the bottleneck next to a model), and the final sort spills to a private temp
    // directory (an in-memory database would otherwise spill into ./.tmp of the user's cwd).
    const spill = mkdtempSync(join(tmpdir(), 'evalctl-duckdb-'));
    // CSV's sniffer already needs the room for every column: count them from the header line.
    const textColumns = format === 'csv' || format === 'tsv' ? headerShape(path, format).fields : 0;
    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      threads: '1',
      memory_limit: memoryLimit(textColumns),
      preserve_insertion_order: 'true',
      temp_directory: spill,
    });
    const connection = await instance.connect();
    try {
      // Timestamps with a time zone render the same on every machine (prompts, cache keys, output).
      await connection.run(`SET GLOBAL TimeZone = 'UTC'`);
      let columns: Column[];
      try {
        await connection.run(`CREATE VIEW evalctl_source AS SELECT * FROM ${readerFor(files, format, { encoding })}`);
        columns = await describe(connection);
      } catch (error) {
        // The sniffer fails without saying where: a strict read of the header's shape finds the row.
        throw (/error when sniffing file/i.test(String(error)) && await csvProblem(connection, path, format, encoding)) || error;
      }
      if (columns.length === 1 && /[,;\t|]/.test(columns[0].name) && firstLine(path) === columns[0].name) {
        // A ragged row early on makes the sniffer settle for one column named after the whole header.
        const problem = await csvProblem(connection, path, format, encoding);
        if (problem) throw problem;
      }
      if ((format === 'jsonl' || format === 'json') && columns.length === 1 && columns[0].name === 'json' && columns[0].type.startsWith('MAP(')) {
        // Past 200 keys DuckDB reads each object as one MAP; a table has one column per key.
        await connection.run(`CREATE OR REPLACE VIEW evalctl_source AS SELECT * FROM ${readerFor(files, format, { manyKeys: true })}`);
        columns = await describe(connection);
      }
      if (columns.length > textColumns) await connection.run(`SET memory_limit = '${memoryLimit(columns.length)}'`);
      const counted = await connection.runAndReadAll('SELECT count(*)::DOUBLE AS n FROM evalctl_source');
      const rowCount = Number(counted.getRowObjectsJson()[0].n);
      if (rowCount === 0) {
        throw new InputError(`${basename(path)} has no rows (columns: ${columns.map((c) => c.name).join(', ') || 'none'}).`, 'Add data rows below the header.');
      }
      // Load one whole row now, so a value DuckDB cannot load (too large for its memory limit)
      // fails before anything is paid for, not when the output is written.
      await connection.run('SELECT * FROM evalctl_source LIMIT 1');
      const warnings: string[] = [];
      if ((format === 'csv' || format === 'tsv') && columns.some((c) => mayBeRenamed(c.name))) {
        const header = await connection.runAndReadAll(`SELECT * FROM ${readerFor(path, format, { encoding, header: false })} LIMIT 1`).then((r) => r.getRowsJson()[0] as (string | null)[], () => []);
        const warning = renamedHeaderWarning(basename(path), header, columns.map((c) => c.name));
        if (warning) warnings.push(warning);
      }
      return new Dataset(path, format, instance, connection, columns, rowCount, spill, rowColumnFor(columns), warnings);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      rmSync(spill, { recursive: true, force: true });
      if (error instanceof InputError) throw error;
      throw readError(path, format, error);
    }
  }

  /** A path in this dataset's private temp directory (removed on close). */
  tempFile(name: string): string {
    return join(this.spillDirectory, name);
  }

  /** A new connection on the same database, for writing while nothing streams on this one. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /**
   * Streams rows in file order as chunks of rendered column text (see `renderExpression`).
   * `limit` keeps only the first n rows. Memory stays at one DuckDB chunk (2,048 rows).
   * BLOB cells of `images` columns come as base64 data: URLs.
   */
  async *stream(columnNames: readonly string[], limit?: number, images?: ReadonlySet<string>): AsyncGenerator<RowChunk> {
    const types = new Map(this.columns.map((c) => [c.name, c.type]));
    const rendered = columnNames.map((name, i) => `${renderExpression(name, types.get(name) ?? 'VARCHAR', images?.has(name))} AS c${i}`);
    // Row numbers follow file order, so the first n rows are rows 0..n-1; LIMIT lets DuckDB stop reading there.
    const row = ident(this.rowColumn);
    const where = limit === undefined ? '' : ` WHERE ${row} < ${Math.floor(limit)} LIMIT ${Math.floor(limit)}`;
    const sql = `SELECT ${[row, ...rendered].join(', ')} FROM (${numberedSource(this.rowColumn)})${where}`;
    const result = await this.reading(() => this.connection.stream(sql));
    let finished = false;
    try {
      for (;;) {
        const chunk = await this.reading(() => result.fetchChunk());
        if (!chunk || chunk.rowCount === 0) { finished = true; return; }
        const columns = chunk.getColumns();
        const rows = (columns[0] as bigint[]).map(Number);
        const rendered = columns.slice(1);
        const values = rows.map((_, r) => rendered.map((column) => column[r] as string | null));
        yield { rows, values };
      }
    } finally {
      // A consumer that stops early (cancel, budget) leaves the query open, its reader buffers
      // pinned; the next statement on this connection ends it and frees them for the write.
      if (!finished) await this.connection.run('SELECT 1').catch(() => undefined);
    }
  }

  /** Runs one read, turning DuckDB's errors (a corrupt page, a value too big) into an InputError. */
  private async reading<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw readError(this.path, this.format, error);
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.spillDirectory, { recursive: true, force: true });
  }
}

/**
 * DuckDB's memory ceiling for a table of `columns` columns. 100 MB keeps it lean whatever the
 * row count; but each column holds a 2,048-row vector (32 KiB) in each of several scan buffers,
 * so a wide table needs more just to read one row: 600 CSV columns need ~150 MB, 3,000 need
 * ~500 MB. Allow 320 KiB a column, up to 4 GB (12,800 columns).
 */
export function memoryLimit(columns: number): string {
  return `${Math.min(4096, Math.max(100, Math.ceil(columns * 0.3125)))}MB`;
}

/** The source with its row numbers: DuckDB streams `row_number() OVER ()` in scan order. */
export function numberedSource(rowColumn = ROW): string {
  return `SELECT row_number() OVER () - 1 AS ${ident(rowColumn)}, * FROM evalctl_source`;
}

/** `__evalctl_row`, unless the source has a column of that name (in any case): then `__evalctl_row_2`... */
function rowColumnFor(columns: readonly Column[]): string {
  const taken = new Set(columns.map((c) => c.name.toLowerCase()));
  let name = ROW;
  for (let n = 2; taken.has(name); n++) name = `${ROW}_${n}`;
  return name;
}

export function formatFromPath(path: string): InputFormat {
  const extension = extname(path.replace(/\.(gz|zst)$/i, '')).toLowerCase().slice(1);
  if (extension === 'ndjson') return 'jsonl';
  if ((INPUT_FORMATS as readonly string[]).includes(extension)) return extension as InputFormat;
  throw new UsageError(
    `Cannot tell the format of ${basename(path)} from its extension "${extname(path) || '(none)'}".`,
    `Use a .parquet, .csv, .tsv, .jsonl, .ndjson or .json file, or name the format with --input-format.`,
  );
}

async function describe(connection: DuckDBConnection): Promise<Column[]> {
  const described = await connection.runAndReadAll('DESCRIBE SELECT * FROM evalctl_source');
  return described.getRowObjectsJson().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

/** The format shared by every file's extension. */
function sameFormat(files: readonly string[]): InputFormat {
  const format = formatFromPath(files[0]);
  const other = files.find((file) => formatFromPath(file) !== format);
  if (other !== undefined) {
    throw new UsageError(`${basename(files[0])} and ${basename(other)} are different formats; the files of one source are read as one table.`, 'Narrow the pattern to one format, e.g. data/*.parquet.');
  }
  return format;
}

/** The DuckDB table function reading `files` as one table; `manyKeys` makes every key of a JSON object a column. */
function readerFor(files: string | readonly string[], format: InputFormat, options: { manyKeys?: boolean; encoding?: Encoding; header?: boolean } = {}): string {
  const list = typeof files === 'string' ? [files] : files;
  const file = list.length === 1 ? literal(list[0]) : `[${list.map(literal).join(', ')}]`;
  const header = `header = ${options.header ?? true}`;
  const keys = options.manyKeys ? ', map_inference_threshold = -1' : '';
  const encoding = options.encoding && options.encoding !== 'utf-8' ? `, encoding = ${literal(options.encoding)}` : '';
  switch (format) {
    case 'parquet': return `read_parquet(${file})`;
    case 'csv': return `read_csv(${file}, ${header}, all_varchar = true${encoding})`;
    case 'tsv': return `read_csv(${file}, ${header}, all_varchar = true, delim = '\t', quote = '"'${encoding})`;
    case 'jsonl': return `read_json(${file}, format = 'newline_delimited'${keys})`;
    case 'json': return `read_json(${file}, format = 'auto'${keys})`;
  }
}

function checkFile(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new InputError(`File not found: ${path}`, 'Check the path; it is relative to the current directory.');
  }
  if (stats.isDirectory()) throw new InputError(`${path} is a directory, not a table file.`, 'Give a .parquet, .csv or .jsonl file.');
  if (stats.size === 0) throw new InputError(`${basename(path)} is empty (0 bytes).`, 'Give a file with a header and at least one row.');
}
