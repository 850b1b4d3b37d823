import type { Price } from './pricing.js';
import type { CommitSettings } from './commit/job.js';
import type { Shard } from './shard.js';
import type { ProviderId } from './providers/types.js';
import type { JudgeSpec, PairwiseSpec } from './judge/spec.js';
import type { ScoringSpec } from './score/scoring.js';
import type { JsonSchema } from './structured/schema.js';
import type { OutputType } from './embeddings/spec.js';

/** The version of `JobSpec` this build writes; records of older versions are migrated on read. */
export const SCHEMA_VERSION = 2;

/**
 * One way of answering a row: a model at an endpoint with a prompt. A job runs every row
 * through every variant; each variant gets its own answer columns.
 */
export interface VariantSpec {
  /** Column suffix and display name (`prediction_<name>` when a job has several variants). */
  name: string;
  model: string;
  provider: ProviderId;
  /** A non-default endpoint; null for the provider's own API. */
  base_url: string | null;
  /** The template, with `{column}` placeholders. */
  prompt: string;
  system: string | null;
  temperature: number;
  max_tokens: number | null;
  /** A price override from config, kept so a resumed job bills the same way. */
  price: Price | null;
  /** Structured output (`--schema`): the JSON Schema every answer must match; absent or null for free text. */
  schema?: JsonSchema | null;
  /** `embeddings`: the variant writes a vector per row; `image`: it generates an image per row (`--output-type`); absent means `text`. */
  output_type?: OutputType;
  /** Vector length (`--dimensions`, else the model's); null when unknown. */
  dimensions?: number | null;
}

/**
 * Everything a job runs with, resolved once at `create` from defaults, config, EVALCTL_*
 * variables and flags, stored as the record's `settings`, and read as is by the runner and the
 * writer. Field names follow the hosted evaluation APIs. Never holds an API key.
 */
export interface JobSpec {
  schema_version: typeof SCHEMA_VERSION;
  variants: VariantSpec[];
  /** Name of the answer column, or the prefix of each variant's answer columns. */
  target_column: string;
  /** Rows per request where an endpoint takes several (embeddings); chat models take one. */
  batch_size: number;
  is_sample: boolean;
  sample_count: number | null;
  sample_seed: number | null;
  input_format: string;
  /** `image` (`--input-type image`): the `image_columns` placeholders are sent as images; `video`: the `video_columns` as videos; absent means text. */
  input_type?: 'text' | 'image' | 'video';
  /** With `input_type: image`: the columns whose placeholders are images (see `imageColumns`). */
  image_columns?: string[];
  /** With an `image` output variant: the absolute folder its images are written to (`<output>.images`, see `imagesFolder`). */
  images_dir?: string;
  /** `--embed-images`: a parquet output also holds each generated image's bytes, `<prefix>_image` (BLOB). */
  embed_images?: boolean;
  /** With `input_type: video`: the columns whose placeholders are videos. */
  video_columns?: string[];
  /** With `input_type` image or video: the absolute folder relative media paths are read from (the source file's, else the cwd at create). */
  image_base?: string;
  /** Text encoding of a CSV/TSV source; absent in older records (UTF-8). */
  encoding?: 'utf-8' | 'utf-16' | 'latin-1';
  output_format: string;
  usage_columns: boolean;
  cache: boolean;
  /** Answers over this many bytes are row failures (`too-large`); null: any size. */
  max_answer_bytes: number | null;
  /** How the answers are scored once written (`--ground-truth`, `--evaluator`, ...); absent when they are not. */
  scoring?: ScoringSpec | null;
  /** An LLM judge scoring every answer (`--judge`); absent in older records and when not asked for. */
  judge?: JudgeSpec | null;
  /** A pairwise comparison of the two variants (`--pairwise`); absent when not asked for. */
  pairwise?: PairwiseSpec | null;
  // How the job runs, not what it asks: `resume` may change these.
  /** Requests in flight at most, per endpoint. */
  concurrency: number;
  timeout_seconds: number;
  max_retries: number;
  max_retry_wait_seconds: number;
  rpm: number | null;
  tpm: number | null;
  /** Budget in USD for all variants together. */
  max_cost: number | null;
  /** Send the rows through the providers' batch APIs (`--batch-api`): half the price, results within 24 hours. */
  batch?: boolean;
  /** `--shard k/n`: the contiguous row range this job evaluates (absent when not sharded). */
  shard?: Shard | null;
  /** `--s3-endpoint`, for an s3:// source or output (absent in older records). */
  s3_endpoint?: string | null;
  /** `--commit`: commit the output to git when the job completes (absent when not asked for). */
  commit?: CommitSettings | null;
}

/** The settings `resume` may change: they change how a job runs, not the answers it gets. */
export const RUN_SETTINGS = ['concurrency', 'timeout_seconds', 'max_retries', 'max_retry_wait_seconds', 'rpm', 'tpm', 'max_cost'] as const;
export type RunSettings = Pick<JobSpec, (typeof RUN_SETTINGS)[number]>;

/** The endpoint a variant talks to: each gets its own concurrency limit and pacing. */
export function endpointKey(variant: Pick<VariantSpec, 'provider' | 'base_url'>): string {
  return `${variant.provider} ${variant.base_url ?? ''}`;
}

/** Where a variant's provider is, for messages: "the OpenAI API", "OpenAI-compatible server at …". */
export function endpointLabel(variant: Pick<VariantSpec, 'provider' | 'base_url'>): string {
  const name = variant.provider === 'anthropic' ? 'Anthropic' : variant.provider === 'openai' ? 'OpenAI' : 'echo';
  return variant.base_url ? `${name}-compatible server at ${variant.base_url}` : `the ${name} API`;
}

/**
 * The record of a job written by evalctl 0.1 (one model, the settings flat) as a v2 spec:
 * one variant. Returns undefined for something that is neither.
 */
export function migrateSettings(settings: Record<string, unknown>): JobSpec | undefined {
  if (settings.schema_version === SCHEMA_VERSION) return settings as unknown as JobSpec;
  if (settings.schema_version !== undefined || typeof settings.model !== 'string' || typeof settings.prompt !== 'string') return undefined;
  const s = settings as Record<string, any>;
  return {
    schema_version: SCHEMA_VERSION,
    variants: [{
      name: variantSlug(s.model),
      model: s.model,
      provider: s.provider,
      base_url: s.base_url ?? null,
      prompt: s.prompt,
      system: s.system ?? null,
      temperature: s.temperature ?? 0,
      max_tokens: s.max_tokens ?? null,
      price: s.price ?? null,
    }],
    target_column: s.target_column,
    batch_size: s.batch_size ?? 10,
    is_sample: Boolean(s.is_sample),
    sample_count: s.sample_count ?? null,
    sample_seed: s.sample_seed ?? null,
    input_format: s.input_format,
    output_format: s.output_format,
    usage_columns: Boolean(s.usage_columns),
    cache: s.cache ?? true,
    max_answer_bytes: null,
    concurrency: s.concurrency ?? 8,
    timeout_seconds: s.timeout_seconds ?? 120,
    max_retries: s.max_retries ?? 6,
    max_retry_wait_seconds: s.max_retry_wait_seconds ?? 60,
    rpm: s.rpm ?? null,
    tpm: s.tpm ?? null,
    max_cost: s.max_cost ?? null,
  };
}

/** `openai:llama3.1` -> `llama3_1`, `gpt-4o-mini` -> `gpt_4o_mini`: a name safe in any column. */
export function variantSlug(model: string): string {
  const bare = model.replace(/^(openai|anthropic):/, '');
  return bare.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase() || 'model';
}
