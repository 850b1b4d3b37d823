import { createHash } from 'node:crypto';
import type { JobRecord } from './jobs.js';
import type { JobSpec } from './spec.js';

/** The k-th of n contiguous row ranges of a table (`--shard k/n`, k from 1). */
export interface Shard {
  index: number;
  count: number;
  /** First row (0-based) and the row after the last. */
  start: number;
  end: number;
  /** Rows in the whole table. */
  rows: number;
}

/** Key of the shard description in a shard's parquet output (its key-value metadata). */
export const SHARD_METADATA_KEY = 'evalctl_shard';

/** What a parquet shard output carries so that `merge` can check the shards belong together. */
export interface ShardMetadata extends Shard {
  /** The source's fingerprint (sha256 of every byte). */
  source: string;
  /** A hash of the settings that shape the output (model, prompt, columns...). */
  settings: string;
}

/**
 * Row range `[start, end)` of shard `index` of `count` over `rows` rows: as even as whole rows
 * allow, in order, covering every row once (`rows` 10 in 4 shards: 0-2, 2-5, 5-7, 7-10).
 */
export function shardOf(index: number, count: number, rows: number): Shard {
  return { index, count, start: Math.floor(((index - 1) * rows) / count), end: Math.floor((index * rows) / count), rows };
}

/** The metadata a shard's output carries. */
export function shardMetadata(job: JobRecord): ShardMetadata | undefined {
  const shard = job.settings.shard;
  if (!shard) return undefined;
  return { ...shard, source: job.source.fingerprint, settings: settingsDigest(job.settings) };
}

/**
 * A hash of the settings that decide what lands in the output; how a shard was run (concurrency,
 * budget, retries, pacing, cache, output format, prices) and which shard it is do not count.
 */
export function settingsDigest(settings: JobSpec): string {
  const variants = settings.variants.map(({ name, model, provider, base_url, prompt, system, temperature, max_tokens, schema, output_type, dimensions }) =>
    ({ name, model, provider, base_url, prompt, system, temperature, max_tokens, schema: schema ?? null, output_type: output_type ?? 'text', dimensions: dimensions ?? null }));
  const { target_column, usage_columns, input_format, scoring, judge, pairwise } = settings;
  const shaping = { variants, target_column, usage_columns, input_format, scoring: scoring ?? null, judge: judge ?? null, pairwise: pairwise ?? null };
  return createHash('sha256').update(JSON.stringify(shaping)).digest('hex').slice(0, 32);
}

/** The parquet key-value metadata of a shard's output, or undefined for an unsharded job. */
export function shardOutputMetadata(job: JobRecord): Record<string, string> | undefined {
  const metadata = shardMetadata(job);
  return metadata && { [SHARD_METADATA_KEY]: JSON.stringify(metadata) };
}
