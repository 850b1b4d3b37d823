import { dirname, resolve } from 'node:path';
import { imageColumns } from './images/columns.js';
import { checkTakesVideo } from './images/video-providers.js';
import { imagesFolder } from './imagegen/files.js';
import type { Settings } from './config.js';
import { Dataset, type Encoding, type InputFormat } from './dataset.js';
import { InputError, UsageError } from './errors.js';
import type { JobRecord } from './jobs.js';
import { answerColumns } from './output/columns.js';
import { checkOutputPath, freeName } from './output/path.js';
import { compileVariants } from './prompts.js';
import { checkScoring, type ScoringSpec } from './score/scoring.js';
import { SCHEMA_VERSION, type JobSpec, type VariantSpec } from './spec.js';
import { parseTemplate, templateWarnings } from './template.js';
import { resolveVariants } from './variants.js';
import { outputFormatFromPath } from './writer.js';
import { materializeSource, type LocalSource } from './source/materialize.js';
import { sourceRecord } from './source/verify.js';
import { checkS3OutputFree, isS3Output, s3OutputTarget } from './source/upload.js';
import { shardOf } from './shard.js';
import { type OutputFormat } from './writer.js';

/** What `evalctl create` was asked to do, before anything is checked. */
export interface CreateRequest {
  readonly source: string;
  /** `--model`, repeatable: one variant per model (times prompts). */
  readonly models?: readonly string[];
  /** `--prompt`, repeatable. */
  readonly prompts?: readonly string[];
  /** `--prompt-file`, repeatable. */
  readonly promptFiles?: readonly string[];
  readonly output?: string;
  readonly overwrite?: boolean;
  /** Evaluate only this many rows: the first ones, or a seeded random choice with `sampleSeed`. */
  readonly sample?: number;
  readonly sampleSeed?: number;
  readonly name?: string;
  readonly inputFormat?: InputFormat;
  /** A dry run sends nothing, so it needs no API key. */
  readonly dryRun?: boolean;
  /** `--schema`, `--structured`: structured output into typed columns (see `resolveSchema`). */
  readonly schema?: string;
  readonly structured?: boolean;
  /** `--output-type embeddings`, `--dimensions`: a vector per row (see `resolveOutput`). */
  readonly outputType?: 'text' | 'embeddings' | 'image';
  /** `--embed-images`: with generated images, a parquet output also holds their bytes. */
  readonly embedImages?: boolean;
  readonly dimensions?: number;
  /** `--ground-truth`, `--evaluator`, ...: how the answers are scored once written. */
  readonly scoring?: ScoringSpec | null;
  /** Text encoding of a CSV/TSV source (default UTF-8). */
  readonly encoding?: Encoding;
  /** `--input-type image`: placeholders of image columns are sent as images; `--image-column` names them (and implies it). */
  readonly inputType?: 'text' | 'image' | 'video';
  readonly imageColumns?: readonly string[];
  /** `--video-column`: a column whose placeholder is a video (implies `--input-type video`). */
  readonly videoColumns?: readonly string[];
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
  /** Things the user should know before paying (a prompt with no placeholder, renamed headers). */
  readonly warnings: readonly string[];
}

/**
 * Checks everything that can be checked before a single token is spent: every variant's
 * prompt, model and key, the source and its schema against every placeholder, the answer
 * columns and the output path. Resolves the one job spec the job runs with. Throws a one-line
 * EvalctlError naming the culprit.
 */
export async function planJob(request: CreateRequest): Promise<Plan> {
  const { settings, env } = request;
  const variants = resolveVariants({ ...request, needKeys: !request.dryRun });
  checkName(settings.targetColumn);
  const source = await materializeSource(request.source, {
    cwd: request.cwd, env, workDir: request.workDir, stdin: request.stdin as never, inputFormat: request.inputFormat,
    s3Endpoint: request.s3Endpoint, timeoutMs: settings.timeout * 1000, onProgress: request.onDownload,
  });
  const dataset = await Dataset.open(source.files ? source.files.map((file) => file.path) : source.path, { format: request.inputFormat ?? source.format, encoding: request.encoding });
  try {
    const { columns: used } = compileVariants(variants, dataset);
    const images = mediaSettings(request, variants, used, dataset, source);
    const count = request.sample === undefined ? null : Math.min(request.sample, dataset.rowCount);
    if (request.shard && count !== null) throw new UsageError('--shard and --sample cannot be combined.', 'Shard the whole table, or sample it without --shard.');
    const shard = request.shard ? shardOf(request.shard.index, request.shard.count, dataset.rowCount) : null;
    const spec: JobSpec = {
      schema_version: SCHEMA_VERSION,
      variants,
      target_column: settings.targetColumn,
      batch_size: settings.batchSize,
      is_sample: count !== null,
      sample_count: count,
      sample_seed: count !== null ? request.sampleSeed ?? null : null,
      input_format: dataset.format,
      encoding: request.encoding ?? 'utf-8',
      ...images,
      ...(request.embedImages ? { embed_images: true } : {}),
      output_format: 'parquet',
      usage_columns: settings.usageColumns,
      cache: settings.cache,
      max_answer_bytes: settings.maxAnswerBytes ?? null,
      ...(request.scoring ? { scoring: request.scoring } : {}),
      concurrency: settings.concurrency,
      timeout_seconds: settings.timeout,
      max_retries: settings.maxRetries,
      max_retry_wait_seconds: settings.maxRetryWait,
      rpm: settings.rpm ?? null,
      tpm: settings.tpm ?? null,
      max_cost: settings.maxCost ?? null,
      s3_endpoint: request.s3Endpoint ?? null,
      ...(shard ? { shard } : {}),
    };
    checkTarget(dataset, answerColumns(spec).map((c) => c.name), request.overwrite ?? false);
    if (spec.scoring) await checkScoring(spec.scoring, dataset.columns.map((c) => c.name), dataset.label);
    const output = outputPath(request, dataset, source);
    // A dry run sends nothing, not even this HEAD.
    if (isS3Output(output) && !request.overwrite && !request.dryRun) {
      await checkS3OutputFree(output, request.s3Endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || null, env);
    }
    spec.output_format = output === '-' ? request.outputFormat ?? 'csv' : request.outputFormat ?? outputFormatFromPath(isS3Output(output) ? s3OutputTarget(output, null).key : output);
    // Generated images go beside the output file (never for -o - or s3://, refused at create).
    if (variants.some((v) => v.output_type === 'image') && output !== '-' && !isS3Output(output)) spec.images_dir = imagesFolder(resolve(request.cwd, output));
    const commit = commitSettings(request, output);
    if (commit) spec.commit = commit;
    const rows = shard ? shard.end - shard.start : count ?? dataset.rowCount;
    const now = new Date().toISOString();
    const record: Omit<JobRecord, 'id'> = {
      name: request.name ?? null,
      status: 'queued',
      source: sourceRecord(source),
      output,
      settings: spec,
      progress: { processed: 0, total: rows * variants.length },
      rows,
      variants: variants.map((v) => ({
        name: v.name, model: v.model, processed: 0, failed_rows: 0, cached_rows: 0,
        prompt_tokens_used: 0, completion_tokens_used: 0, tokens_used: 0, cost_usd: 0, latency_ms: null,
      })),
      agreement: null,
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
    const warnings = [
      ...variants.flatMap((v) => templateWarnings(parseTemplate(v.prompt), variants.length > 1 ? `variant ${v.name}` : '--prompt')),
      ...dataset.warnings,
    ];
    return { record, dataset, warnings };
  } catch (error) {
    dataset.close();
    throw error;
  }
}

/**
 * The spec's media fields: which placeholders are images (or videos), and where relative paths
 * are read from. Video goes only to OpenAI-compatible servers (refused for OpenAI's own API and
 * Anthropic before anything is sent).
 */
function mediaSettings(request: CreateRequest, variants: readonly VariantSpec[], used: readonly string[], dataset: Dataset, source: LocalSource): Partial<JobSpec> {
  const images = request.imageColumns ?? [];
  const videos = request.videoColumns ?? [];
  if (images.length > 0 && videos.length > 0) throw new UsageError('--image-column and --video-column cannot go together.', 'Send images or videos in one job, not both.');
  const kind = videos.length > 0 ? 'video' : images.length > 0 ? 'image' : request.inputType;
  if (kind !== 'image' && kind !== 'video') return {};
  const flag = `--${kind}-column`;
  if (request.inputType !== undefined && request.inputType !== kind) throw new UsageError(`${flag} cannot go with --input-type ${request.inputType}.`, `Drop --input-type ${request.inputType}: ${flag} implies --input-type ${kind}.`);
  if (variants.some((v) => v.output_type === 'embeddings')) throw new UsageError(`--input-type ${kind} cannot go with --output-type embeddings.`, `Embed text, or answer ${kind}s with a chat model.`);
  if (kind === 'video') for (const variant of variants) checkTakesVideo(variant);
  const local = source.url === null && source.files === null;
  return {
    input_type: kind,
    [kind === 'image' ? 'image_columns' : 'video_columns']: imageColumns(used, dataset.columns, kind === 'image' ? images : videos, dataset.label, kind),
    image_base: local ? dirname(resolve(request.cwd, source.path)) : resolve(request.cwd),
  };
}

function commitSettings(request: CreateRequest, output: string): JobSpec['commit'] {
  const commit = request.commit || request.targetBranch !== undefined || request.commitMessage !== undefined;
  if (!commit) return null;
  if (output === '-' || isS3Output(output)) throw new UsageError(`--commit needs an output file, not -o ${output === '-' ? '-' : 's3://'}.`, 'Write to a file inside the repository: -o results/out.parquet.');
  if (request.targetBranch !== undefined && request.targetBranch.trim() === '') throw new UsageError('--target-branch is empty.', 'Name the branch, e.g. --target-branch results.');
  return { message: request.commitMessage ?? null, branch: request.targetBranch ?? null };
}

function checkName(target: string): void {
  if (target.trim() === '') throw new UsageError('--target-column is empty.', 'Name the new column, e.g. -t prediction.');
}

function checkTarget(dataset: Dataset, added: readonly string[], overwrite: boolean): void {
  if (overwrite) return;
  const names = new Set(dataset.columns.map((c) => c.name));
  for (const column of added) {
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
  return checkOutputPath(request.output, { cwd: request.cwd, input: dataset.path, overwrite: request.overwrite ?? false });
}
