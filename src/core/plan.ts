import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Settings } from './config.js';
import { Dataset, type Encoding, type InputFormat } from './dataset.js';
import { InputError, UsageError } from './errors.js';
import type { JobRecord, JobSettings } from './jobs.js';
import { apiKeyFor, resolveModel } from './models.js';
import { priceFor } from './pricing.js';
import { readPromptFile } from './prompt-file.js';
import { bindColumns, parseTemplate } from './template.js';
import { materializeSource, type LocalSource } from './source/materialize.js';
import { sourceRecord } from './source/verify.js';
import { isS3Output, s3OutputTarget } from './source/upload.js';
import { shardOf } from './shard.js';
import { outputFormatFromPath, type OutputFormat } from './writer.js';

/** What `evalctl create` was asked to do, before anything is checked. */
export interface CreateRequest {
  readonly source: string;
  readonly prompt?: string;
  readonly promptFile?: string;
  readonly output?: string;
  readonly overwrite?: boolean;
  /** Evaluate only this many rows: the first ones, or a seeded random choice with `sampleSeed`. */
  readonly sample?: number;
  readonly sampleSeed?: number;
  readonly name?: string;
  readonly inputFormat?: InputFormat;
  /** Text encoding of a CSV/TSV source (default UTF-8). */
  readonly encoding?: Encoding;
  readonly settings: Settings;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The job's folder: a remote table is downloaded into it, a piped one spooled (see `JobStore.reserve`). */
  readonly workDir?: string;
  /** Where `-` reads from (default process.stdin). */
  readonly stdin?: NodeJS.ReadableStream;
  /** `--s3-endpoint`: an S3-compatible store. */
  readonly s3Endpoint?: string;
  /** The format written to stdout with `-o -` (default csv). */
  readonly outputFormat?: OutputFormat;
  /** `--commit`: commit the output to git when done; `--target-branch` on that branch instead of the checked-out one. */
  readonly commit?: boolean;
  readonly commitMessage?: string;
  readonly targetBranch?: string;
  /** `--shard k/n`: evaluate only the k-th (from 1) of n contiguous row ranges. */
  readonly shard?: { index: number; count: number };
  /** Download progress: bytes on disk, and the size when the server tells. */
  readonly onDownload?: (received: number, total: number | null) => void;
}

/** A checked plan: the job record to store, and the opened dataset to run it on. */
export interface Plan {
  readonly record: Omit<JobRecord, 'id'>;
  readonly dataset: Dataset;
}

/**
 * Checks everything that can be checked before a single token is spent: the prompt, the
 * model and its key, the source and its schema against every placeholder, the target column and
 * the output path. Throws a one-line EvalctlError naming the culprit.
 */
export async function planJob(request: CreateRequest): Promise<Plan> {
  const { settings, env } = request;
  const templateText = readTemplate(request);
  const template = parseTemplate(templateText, request.promptFile ? request.promptFile : '--prompt');
  const choice = resolveModel(settings.model, settings.baseUrl, env);
  if (/^text-embedding-/.test(choice.model)) {
    throw new UsageError(`${choice.model} is an embedding model; evalctl does not write embeddings columns yet.`, 'Use a chat model such as gpt-4o-mini or claude-haiku-4-5.');
  }
  apiKeyFor(choice, env);
  if (settings.maxCost !== undefined && !priceFor(choice.model, settings.pricing)) {
    throw new UsageError(
      `--max-cost needs a price for ${choice.model}, and evalctl does not know one.`,
      `Add it under "pricing" in .evalrc, e.g. {"pricing": {"${choice.model}": {"input": 0.5, "output": 1.5}}} (USD per million tokens).`,
    );
  }
  checkName(settings.targetColumn);
  const source = await materializeSource(request.source, {
    cwd: request.cwd, env, workDir: request.workDir, stdin: request.stdin as never, inputFormat: request.inputFormat,
    s3Endpoint: request.s3Endpoint, timeoutMs: settings.timeout * 1000, onProgress: request.onDownload,
  });
  const dataset = await Dataset.open(source.files ? source.files.map((file) => file.path) : source.path, { format: request.inputFormat ?? source.format, encoding: request.encoding });
  try {
    bindColumns(template, dataset.columns.map((c) => c.name), dataset.label);
    checkTarget(dataset, settings.targetColumn, request.overwrite ?? false);
    const output = outputPath(request, dataset, source);
    const count = request.sample === undefined ? null : Math.min(request.sample, dataset.rowCount);
    if (request.shard && count !== null) throw new UsageError('--shard and --sample cannot be combined.', 'Shard the whole table, or sample it without --shard.');
    const shard = request.shard ? shardOf(request.shard.index, request.shard.count, dataset.rowCount) : null;
    const now = new Date().toISOString();
    const jobSettings: JobSettings = {
      model: choice.model,
      provider: choice.provider,
      base_url: choice.baseURL ?? null,
      prompt: templateText,
      system: settings.system ?? null,
      temperature: settings.temperature,
      max_tokens: settings.maxTokens ?? null,
      target_column: settings.targetColumn,
      concurrency: settings.concurrency,
      batch_size: settings.batchSize,
      is_sample: count !== null,
      sample_count: count,
      sample_seed: count !== null ? request.sampleSeed ?? null : null,
      timeout_seconds: settings.timeout,
      max_retries: settings.maxRetries,
      max_retry_wait_seconds: settings.maxRetryWait,
      rpm: settings.rpm ?? null,
      tpm: settings.tpm ?? null,
      max_cost: settings.maxCost ?? null,
      cache: settings.cache,
      usage_columns: settings.usageColumns,
      input_format: dataset.format,
      output_format: output === '-' ? request.outputFormat ?? 'csv' : request.outputFormat ?? outputFormatFromPath(isS3Output(output) ? s3OutputTarget(output, null).key : output),
      s3_endpoint: request.s3Endpoint ?? null,
      price: priceOverride(choice.model, settings),
      shard,
      commit: commitSettings(request, output),
    };
    const record: Omit<JobRecord, 'id'> = {
      name: request.name ?? null,
      status: 'queued',
      source: sourceRecord(source),
      output,
      settings: jobSettings,
      progress: { processed: 0, total: shard ? shard.end - shard.start : count ?? dataset.rowCount },
      failed_rows: 0,
      cached_rows: 0,
      prompt_tokens_used: 0,
      completion_tokens_used: 0,
      tokens_used: 0,
      cost_usd: 0,
      credits_used: null,
      created_at: now,
      started_at: null,
      completed_at: null,
      cancelled_at: null,
      updated_at: now,
      error_message: null,
      stop_reason: null,
      pid: null,
    };
    return { record, dataset };
  } catch (error) {
    dataset.close();
    throw error;
  }
}

function readTemplate(request: CreateRequest): string {
  if (request.prompt !== undefined && request.promptFile !== undefined) {
    throw new UsageError('Give either --prompt or --prompt-file, not both.');
  }
  if (request.promptFile !== undefined) {
    const path = resolve(request.cwd, request.promptFile);
    try {
      return readPromptFile(path, request.promptFile).replace(/\r?\n$/, '');
    } catch (error) {
      if (error instanceof InputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'unknown error'})`;
      throw new InputError(`The prompt file ${request.promptFile} (--prompt-file) ${why}.`, 'Check the path; it is relative to the current directory.', error);
    }
  }
  if (request.prompt === undefined) {
    throw new UsageError('No prompt given: pass --prompt or --prompt-file.', 'For example --prompt "Classify: {review}", with a {column} placeholder per column to fill in.');
  }
  return request.prompt;
}

function commitSettings(request: CreateRequest, output: string): JobSettings['commit'] {
  const commit = request.commit || request.targetBranch !== undefined || request.commitMessage !== undefined;
  if (!commit) return null;
  if (output === '-' || isS3Output(output)) throw new UsageError(`--commit needs an output file, not -o ${output === '-' ? '-' : 's3://'}.`, 'Write to a file inside the repository: -o results/out.parquet.');
  if (request.targetBranch !== undefined && request.targetBranch.trim() === '') throw new UsageError('--target-branch is empty.', 'Name the branch, e.g. --target-branch results.');
  return { message: request.commitMessage ?? null, branch: request.targetBranch ?? null };
}

function checkName(target: string): void {
  if (target.trim() === '') throw new UsageError('--target-column is empty.', 'Name the new column, e.g. -t prediction.');
}

function checkTarget(dataset: Dataset, target: string, overwrite: boolean): void {
  if (overwrite) return;
  const names = new Set(dataset.columns.map((c) => c.name));
  for (const column of [target, `${target}_error`]) {
    if (names.has(column)) {
      throw new InputError(
        `Column "${column}" already exists in ${dataset.label}.`,
        'Choose another name with --target-column, or pass --overwrite to replace it in the output.',
      );
    }
  }
}

function outputPath(request: CreateRequest, dataset: Dataset, source: LocalSource): string {
  // `-o -` and `-o s3://...`: written in the job's folder, then streamed to stdout or uploaded.
  if (request.output === '-') return '-';
  if (request.output === undefined) return freeName(source.nameBase, dataset.format, request.settings.targetColumn);
  if (isS3Output(request.output)) {
    outputFormatFromPath(s3OutputTarget(request.output, null).key);
    return request.output;
  }
  const output = resolve(request.cwd, request.output);
  outputFormatFromPath(output);
  if (sameFile(output, dataset.path)) {
    throw new UsageError(`The output ${request.output} is the input file; evalctl never modifies its input.`, 'Choose another --output path.');
  }
  // From here on the command line is fine but the file system disagrees: exit 1, not 2.
  const directory = dirname(output);
  if (!existsSync(directory)) {
    throw new InputError(`The output directory ${directory} does not exist.`, 'Create it first, or choose another --output path.');
  }
  if (!statSync(directory).isDirectory()) {
    throw new InputError(`The output directory ${directory} is a file, not a directory.`, 'Choose another --output path.');
  }
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    throw new InputError(`Cannot write to the output directory ${directory} (permission denied).`, 'Choose another --output path.');
  }
  if (existsSync(output) && !request.overwrite) {
    throw new InputError(`The output ${request.output} already exists.`, 'Pass --overwrite to replace it, or choose another --output path.');
  }
  if (existsSync(output) && statSync(output).isDirectory()) {
    throw new InputError(`The output ${request.output} is a directory.`, 'Give a file path to --output, e.g. out.parquet.');
  }
  return output;
}

/** `reviews.csv` -> `reviews.prediction.csv`, or `reviews.prediction-2.csv` if that is taken. */
function freeName(input: string, format: InputFormat, target: string): string {
  const name = basename(input).replace(/\.(gz|zst)$/i, '');
  const stem = name.slice(0, name.length - extname(name).length) || name;
  // JSON lines keep the input's own spelling (.jsonl or .ndjson); anything else gets the format's.
  const extension = format === 'jsonl' && /^\.(jsonl|ndjson)$/i.test(extname(name)) ? extname(name) : `.${format}`;
  const safeTarget = target.replace(/[^\w.-]+/g, '_');
  for (let n = 1; ; n++) {
    const candidate = join(dirname(input), `${stem}.${safeTarget}${n === 1 ? '' : `-${n}`}${extension}`);
    if (!existsSync(candidate)) return candidate;
  }
}

/** A config price for the model (matched like the built-in table), kept in the job for resume. */
function priceOverride(model: string, settings: Settings): JobSettings['price'] {
  const price = priceFor(model, settings.pricing);
  return price !== undefined && price !== priceFor(model) ? price : null;
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
