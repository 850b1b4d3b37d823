import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from '../dataset.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { writeOutput, type OutputFormat, type RowSelection } from '../writer.js';
import { judgeExtraLogs, judgeLogPaths } from '../judge/columns.js';
import { answerColumns } from './columns.js';
import { outputFileFor } from '../source/emit.js';
import { shardOutputMetadata } from '../shard.js';

/** Which rows of the source a job covers: all, its first n, or its seeded sample (stored beside it). */
export function selectionOf(job: JobRecord, samplePath: string): RowSelection {
  const s = job.settings;
  if (s.shard) return { kind: 'range', start: s.shard.start, end: s.shard.end };
  if (!s.is_sample || s.sample_count === null) return { kind: 'all' };
  if (s.sample_seed === null) return { kind: 'first', count: s.sample_count };
  return { kind: 'rows', path: samplePath };
}

/**
 * Writes a job's output from its answer log: every input column of its rows, then its answer
 * columns. `runJob` writes `job.output` in the job's format; `export` writes anywhere, in the
 * format of the path it was given.
 */
export async function writeJobOutput(
  store: JobStore,
  job: JobRecord,
  dataset: Dataset,
  options: { output?: string; format?: OutputFormat; afterWrite?: (connection: DuckDBConnection, answers: string) => Promise<void> } = {},
): Promise<void> {
  const s = job.settings;
  const paths = store.paths(job.id);
  const format = options.format ?? (s.output_format as OutputFormat);
  await writeOutput(dataset, {
    output: options.output ?? outputFileFor(job.output, format, paths.dir),
    format,
    // The format decides how nested structured fields are written (JSON text in CSV).
    columns: answerColumns({ ...s, output_format: format }),
    variants: s.variants.length,
    answersPath: paths.answers,
    selection: selectionOf(job, paths.sample),
    extraLogs: judgeExtraLogs(s, judgeLogPaths(store, job.id)),
    afterWrite: options.afterWrite,
    metadata: shardOutputMetadata(job),
  });
}
