import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EvalctlError, InputError, UsageError, messageOf } from './errors.js';
import { SHARD_METADATA_KEY, type ShardMetadata } from './shard.js';
import { literal } from './sql.js';
import { copyOptions, outputFormatFromPath } from './writer.js';

export interface MergeRequest {
  /** The shards' parquet outputs, in any order. */
  readonly inputs: readonly string[];
  readonly output: string;
  readonly overwrite?: boolean;
  readonly cwd: string;
}

export interface MergeResult {
  readonly output: string;
  readonly shards: number;
  readonly rows: number;
}

/**
 * Joins the outputs of `create --shard k/n` into one file in source order. Each shard's parquet
 * carries its range, its source's fingerprint and a hash of its settings (see `shardMetadata`);
 * they must all agree, and the ranges must cover the table exactly once: a missing, doubled or
 * foreign shard is one line naming the file. The merged file appears under its name only when complete.
 */
export async function mergeShards(request: MergeRequest): Promise<MergeResult> {
  const output = resolve(request.cwd, request.output);
  const format = outputFormatFromPath(output);
  if (existsSync(output) && !request.overwrite) throw new InputError(`The output ${request.output} already exists.`, 'Pass --overwrite to replace it, or choose another --output path.');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', preserve_insertion_order: 'true', autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    const shards: (ShardMetadata & { file: string })[] = [];
    for (const input of request.inputs) {
      const file = resolve(request.cwd, input);
      if (resolve(file) === output) throw new UsageError(`The output ${request.output} is one of the shards.`, 'Choose another --output path.');
      shards.push({ ...(await metadataOf(connection, file, input)), file: input });
    }
    const ordered = checkShards(shards);
    const partial = join(dirname(output), `.${basename(output)}.${process.pid}.partial`);
    const files = `[${ordered.map((shard) => literal(resolve(request.cwd, shard.file))).join(', ')}]`;
    try {
      await connection.run(`COPY (SELECT * FROM read_parquet(${files})) TO ${literal(partial)} (${copyOptions(format, 122_880)})`);
      renameSync(partial, output);
    } catch (error) {
      rmSync(partial, { force: true });
      throw new EvalctlError(`Could not write ${request.output}: ${messageOf(error).split('\n')[0]}`, { code: 'output', cause: error });
    }
    return { output, shards: ordered.length, rows: ordered[0].rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Sorts shards by range and checks they come from one job's settings and cover every row once. */
export function checkShards<T extends ShardMetadata & { file: string }>(shards: readonly T[]): T[] {
  const [first] = shards;
  for (const shard of shards) {
    if (shard.source !== first.source) throw new InputError(`${shard.file} and ${first.file} were made from different sources (or the source changed between them).`, 'Merge shards of one source only.');
    if (shard.settings !== first.settings) throw new InputError(`${shard.file} and ${first.file} were made with different settings (model, prompt, system prompt, temperature or columns).`, 'Merge shards of one evaluation only.');
    if (shard.count !== first.count || shard.rows !== first.rows) throw new InputError(`${shard.file} is shard ${shard.index}/${shard.count} but ${first.file} is ${first.index}/${first.count}.`, 'Merge shards of one split only.');
  }
  const ordered = [...shards].sort((a, b) => a.index - b.index);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i].index === ordered[i - 1].index) throw new InputError(`Shard ${ordered[i].index}/${first.count} is given twice: ${ordered[i - 1].file} and ${ordered[i].file}.`, 'Give each shard once.');
  }
  const missing = [];
  for (let index = 1; index <= first.count; index++) if (!ordered.some((shard) => shard.index === index)) missing.push(index);
  if (missing.length) {
    throw new InputError(`Shard${missing.length > 1 ? 's' : ''} ${missing.map((index) => `${index}/${first.count}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: the merged table would lack rows.`, `Run \`evalctl create ... --shard ${missing[0]}/${first.count}\` and give its output too.`);
  }
  return ordered;
}

async function metadataOf(connection: import('@duckdb/node-api').DuckDBConnection, file: string, label: string): Promise<ShardMetadata> {
  if (!existsSync(file)) throw new InputError(`File not found: ${label}`);
  let rows: Record<string, unknown>[];
  try {
    const result = await connection.runAndReadAll(`SELECT decode(value) AS value FROM parquet_kv_metadata(${literal(file)}) WHERE decode(key) = ${literal(SHARD_METADATA_KEY)}`);
    rows = result.getRowObjectsJson() as Record<string, unknown>[];
  } catch (error) {
    throw new InputError(`${label} is not a parquet file: ${messageOf(error).split('\n')[0]}`, 'Shards are merged from their parquet outputs: `create --shard k/n -o shard-k.parquet`.', error);
  }
  if (rows.length === 0) throw new InputError(`${label} is not the output of a --shard run (no shard metadata in it).`, 'Write each shard with `evalctl create ... --shard k/n -o shard-k.parquet`.');
  return JSON.parse(String(rows[0].value)) as ShardMetadata;
}
