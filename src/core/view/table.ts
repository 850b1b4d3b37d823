import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { InputError, messageOf } from '../errors.js';
import type { Column, InputFormat } from '../dataset.js';
import { formatFromPath } from '../dataset.js';
import { checkContent } from '../sniff.js';
import { literal } from '../sql.js';
import { countStatement, pageStatement, VIEW_ROW, whereClause, type RowQuery, type Statement } from './query.js';
import type { ViewSchema } from './schema.js';

/** One page of rows: each row's cells as text (null for SQL NULL), keyed by column name. */
export interface RowPage {
  /** Rows the filters keep, over the whole file. */
  total: number;
  offset: number;
  rows: Record<string, string | null>[];
}

/**
 * An output file opened for reading by its own DuckDB instance: small memory, one thread, and
 * no file access but this file, locked so no statement can turn it back on. Every query streams
 * through DuckDB; only a page of rows reaches JavaScript.
 */
export class OutputTable {
  private constructor(
    readonly path: string,
    readonly columns: Column[],
    readonly rowCount: number,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly spill: string,
  ) {}

  /** The relation queries read: the file's columns with `__row`, its row number. */
  static readonly relation = 'evalctl_view';

  static async open(path: string, format: InputFormat = formatFromPath(path)): Promise<OutputTable> {
    checkContent(path, format);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const spill = mkdtempSync(join(tmpdir(), 'evalctl-view-'));
    const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '128MB', temp_directory: spill, autoinstall_known_extensions: 'false' });
    const connection = await instance.connect();
    try {
      await connection.run(`SET GLOBAL TimeZone = 'UTC'`);
      await connection.run(`SET allowed_paths = [${literal(path)}]`);
      await connection.run(`SET allowed_directories = [${literal(spill)}]`);
      await connection.run('SET enable_external_access = false');
      await connection.run(`CREATE VIEW ${OutputTable.relation} AS SELECT row_number() OVER () - 1 AS ${VIEW_ROW}, * FROM ${reader(path, format)}`);
      await connection.run('SET lock_configuration = true');
      const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader(path, format)}`)).getRowObjectsJson();
      const columns = described.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
      const rowCount = Number((await connection.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${reader(path, format)}`)).getRowObjectsJson()[0].n);
      return new OutputTable(path, columns, rowCount, instance, connection, spill);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      rmSync(spill, { recursive: true, force: true });
      throw new InputError(`Cannot open ${path} for viewing: ${messageOf(error).split('\n')[0]}`, 'Check it is an output file evalctl wrote (parquet, CSV or JSONL).', error);
    }
  }

  /** A page of rows and how many rows the filters keep. */
  async page(query: RowQuery, schema: ViewSchema): Promise<RowPage> {
    const total = whereClause(query, schema).sql === '' ? this.rowCount : Number((await this.all(countStatement(query, schema, OutputTable.relation)))[0].n);
    const rows = await this.all(pageStatement(query, schema, OutputTable.relation));
    return { total, offset: query.offset, rows: rows as Record<string, string | null>[] };
  }

  /** Runs a statement with its parameters and returns its rows as JSON-safe objects. */
  async all(statement: Statement): Promise<Record<string, unknown>[]> {
    const result = await this.connection.runAndReadAll(statement.sql, statement.params);
    return result.getRowObjectsJson() as Record<string, unknown>[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.spill, { recursive: true, force: true });
  }
}

function reader(path: string, format: InputFormat): string {
  const file = literal(path);
  switch (format) {
    case 'parquet': return `read_parquet(${file})`;
    case 'csv': return `read_csv(${file}, header = true, all_varchar = true)`;
    case 'tsv': return `read_csv(${file}, header = true, all_varchar = true, delim = '\t', quote = '"')`;
    case 'jsonl': return `read_json(${file}, format = 'newline_delimited')`;
    case 'json': return `read_json(${file}, format = 'auto')`;
  }
}
