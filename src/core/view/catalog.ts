import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { JobError } from '../errors.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { summarize } from './jobs.js';
import { parseRowQuery } from './query.js';
import { viewSchema } from './schema.js';
import { OutputTable } from './table.js';
import type { JobSummary, JobView, RowsPage } from './types.js';

/** The id the viewer gives a file that is no job's output. */
export const FILE_ID = 'file';
/** Output tables kept open at once: each is a DuckDB instance. */
const OPEN_TABLES = 2;

/** What `view` was asked to show: the jobs, one job, or a file (with the job that wrote it, if any). */
export type Subject = { kind: 'jobs' } | { kind: 'job'; id: string } | { kind: 'file'; path: string };

/** `view [job | file]`: an existing path is a file, anything else a job id (or unique prefix). */
export function resolveSubject(store: JobStore, argument: string | undefined, cwd: string): Subject {
  if (argument === undefined) return { kind: 'jobs' };
  const path = resolve(cwd, argument);
  if (existsSync(path) && statSync(path).isFile()) {
    const owner = store.list().find((job) => resolve(job.output) === path);
    return owner ? { kind: 'job', id: owner.id } : { kind: 'file', path };
  }
  return { kind: 'job', id: store.read(argument).id };
}

/**
 * What the viewer reads: the job store, and the output files through `OutputTable`, opened on
 * first use and kept (the last two) so paging does not reopen them.
 */
export class ViewCatalog {
  private readonly tables = new Map<string, { mtime: number; table: Promise<OutputTable> }>();

  constructor(readonly store: JobStore, readonly file: string | null = null) {}

  jobs(): JobSummary[] {
    return this.store.list().map(summarize);
  }

  /** The job page's data; a job whose output is not written yet has no schema and says why. */
  async view(id: string): Promise<JobView> {
    const job = this.job(id);
    const output = job?.output ?? this.file!;
    const title = job ? `${job.name ?? `Job ${job.id}`}` : basename(output);
    if (!existsSync(output)) {
      return { id, title, output, job, schema: null, row_count: null, unavailable: `The output ${output} is not written yet${job ? ` (job ${job.status})` : ''}.` };
    }
    const table = await this.table(id, output);
    return { id, title, output, job, schema: viewSchema(table.columns, job ?? undefined), row_count: table.rowCount, unavailable: null };
  }

  /** A page of rows; `params` are the request's URL parameters, checked by `parseRowQuery`. */
  async rows(id: string, params: URLSearchParams): Promise<RowsPage> {
    const job = this.job(id);
    const table = await this.table(id, job?.output ?? this.file!);
    const schema = viewSchema(table.columns, job ?? undefined);
    return table.page(parseRowQuery(params, schema), schema);
  }

  /** The open table of a job's output (reopened when the file has changed since). */
  async table(id: string, path: string): Promise<OutputTable> {
    const mtime = statSync(path).mtimeMs;
    const open = this.tables.get(id);
    if (open && open.mtime === mtime) return open.table;
    if (open) this.tables.delete(id), void open.table.then((t) => t.close(), () => undefined);
    const table = OutputTable.open(path, undefined);
    this.tables.set(id, { mtime, table });
    table.catch(() => this.tables.delete(id));
    while (this.tables.size > OPEN_TABLES) {
      const [oldest, entry] = this.tables.entries().next().value!;
      this.tables.delete(oldest);
      void entry.table.then((t) => t.close(), () => undefined);
    }
    return table;
  }

  close(): Promise<void> {
    const closing = [...this.tables.values()].map((entry) => entry.table.then((t) => t.close(), () => undefined));
    this.tables.clear();
    return Promise.all(closing).then(() => undefined);
  }

  private job(id: string): JobRecord | null {
    if (id === FILE_ID && this.file !== null) return null;
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new JobError(`No job "${id}".`);
    return this.store.read(id);
  }
}
