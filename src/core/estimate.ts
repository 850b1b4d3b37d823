import type { Dataset } from './dataset.js';
import type { JobRecord } from './jobs.js';
import { batchPrice, costOf, priceFor, type Price } from './pricing.js';
import { sampleRows } from './sample.js';
import { compileVariants } from './prompts.js';
import { imageTokens } from './images/sniff.js';
import { mediaOf } from './images/kinds.js';
import { IMAGE_OUTPUT_TOKENS } from './imagegen/spec.js';
import { VIDEO_TOKENS } from './images/video.js';
import type { JobSpec } from './spec.js';

/** What one variant's share of a run would cost, worked out without calling the model. */
export interface Estimate {
  name: string;
  model: string;
  rows: number;
  /** The first few rendered prompts, to eyeball the template. */
  examples: string[];
  /** `tokenizer`: OpenAI's own encoding (o200k_base or cl100k_base); `characters`: length / 4. */
  method: 'tokenizer' | 'characters';
  /** Rows whose prompts were measured; the rest are extrapolated from their mean. */
  measuredRows: number;
  inputTokens: number;
  /** Completion tokens per row assumed for the low and high ends of the range. */
  outputTokensPerRow: { low: number; high: number };
  cost: { low: number; high: number } | null;
  /** The same through the provider's batch API (`--batch-api`): half, by the price table. */
  batchCost: { low: number; high: number } | null;
}

/** Rows measured exactly; beyond this the mean of the first ones is extrapolated. */
const MEASURED_ROWS = 5000;
/** A short label-like answer, for the low end when nothing bounds the output. */
const LOW_OUTPUT_TOKENS = 5;
/** Assumed longest answer when --max-tokens is not given. */
const HIGH_OUTPUT_TOKENS = 256;

/** Counts (or estimates) prompt tokens over the rows a job would send, per variant, and prices them. */
export async function estimateJob(dataset: Dataset, job: Omit<JobRecord, 'id'>): Promise<Estimate[]> {
  const s = job.settings;
  const { columns: images, kind } = mediaOf(s);
  const perMedia = (provider: JobSpec['variants'][number]['provider']) => (kind.name === 'video' ? VIDEO_TOKENS : imageTokens(provider));
  const { columns, renders, parts } = compileVariants(s.variants, dataset, images);
  const counters = await Promise.all(s.variants.map((v) => tokenCounter(v.provider, v.model)));
  const rows = job.rows;
  const systemTokens = s.variants.map((v, i) => (v.system ? counters[i].tokens(v.system) : 0));
  const examples: string[][] = s.variants.map(() => []);
  const tokens = s.variants.map(() => 0);
  let measured = 0;
  for await (const { values } of measuredRows(dataset, job, columns, images)) {
    renders.forEach((render, v) => {
      // An image counts a fixed number of tokens (see `imageTokens`); the files are not opened.
      const row = images.size > 0 ? parts[v](values) : undefined;
      const prompt = row ? row.map((part) => (typeof part === 'string' ? part : `[${kind.name}: ${shortRef(part.image)}]`)).join('') : render(values);
      const imageCount = row ? row.filter((part) => typeof part !== 'string').length : 0;
      if (examples[v].length < 3) examples[v].push(prompt);
      tokens[v] += counters[v].tokens(row ? row.filter((part) => typeof part === 'string').join('') : prompt) + systemTokens[v] + imageCount * perMedia(s.variants[v].provider);
    });
    measured++;
  }
  return s.variants.map((v, i) => {
    const inputTokens = measured >= rows ? tokens[i] : Math.round((tokens[i] / Math.max(1, measured)) * rows);
    // An embedding is billed for its input alone.
    const high = v.output_type === 'embeddings' ? 0 : v.max_tokens ?? HIGH_OUTPUT_TOKENS;
    // A generated image's output tokens depend on its quality, not on --max-tokens.
    const outputTokensPerRow = v.output_type === 'image' ? { ...IMAGE_OUTPUT_TOKENS } : { low: Math.min(LOW_OUTPUT_TOKENS, high), high };
    const price = v.price ?? priceFor(v.model);
    return {
      name: v.name,
      model: v.model,
      rows,
      examples: examples[i],
      method: counters[i].method,
      measuredRows: Math.min(measured, rows),
      inputTokens,
      outputTokensPerRow,
      cost: rangeAt(price, inputTokens, rows, outputTokensPerRow),
      batchCost: rangeAt(batchPrice(price), inputTokens, rows, outputTokensPerRow),
    };
  });
}

/**
 * The rows a job would send (its --sample, or all), in file order, with their values of
 * `columns`: the first `MEASURED_ROWS` of them, which the estimates measure and extrapolate from.
 */
export async function* measuredRows(dataset: Dataset, job: Pick<JobRecord, 'settings'>, columns: readonly string[], images?: ReadonlySet<string>): AsyncGenerator<{ row: number; values: readonly (string | null)[] }> {
  const s = job.settings;
  const chosen = s.is_sample && s.sample_seed !== null && s.sample_count !== null
    ? new Set(sampleRows(dataset.rowCount, s.sample_count, s.sample_seed)) : undefined;
  const limit = s.is_sample && s.sample_seed === null ? s.sample_count ?? undefined : undefined;
  let measured = 0;
  for await (const chunk of dataset.stream(columns, limit, images)) {
    for (let i = 0; i < chunk.rows.length; i++) {
      if (chosen && !chosen.has(chunk.rows[i])) continue;
      yield { row: chunk.rows[i], values: chunk.values[i] };
      if (++measured >= MEASURED_ROWS) return;
    }
  }
}

/** An image reference short enough for an example prompt: a data: URL as its first characters. */
function shortRef(reference: string | null): string {
  const value = reference ?? '';
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

function rangeAt(price: Price | undefined, inputTokens: number, rows: number, output: { low: number; high: number }): Estimate['cost'] {
  return price ? { low: costOf(price, inputTokens, rows * output.low), high: costOf(price, inputTokens, rows * output.high) } : null;
}

/** A prompt-token counter for a model: OpenAI's tokenizer for OpenAI's models, else four characters a token. */
export async function tokenCounter(provider: string, model: string): Promise<{ method: Estimate['method']; tokens: (text: string) => number }> {
  if (provider === 'openai' && /^(gpt-|o\d|chatgpt-|text-embedding-)/.test(model)) {
    const legacy = /^(gpt-4(?!o|\.)|gpt-3\.5|text-embedding-)/.test(model);
    const encoding = legacy ? await import('gpt-tokenizer/encoding/cl100k_base') : await import('gpt-tokenizer/encoding/o200k_base');
    // Chat formatting adds a few tokens per message; an embedding input is billed as it is.
    const overhead = /^text-embedding-/.test(model) ? 0 : 4;
    return { method: 'tokenizer', tokens: (text) => encoding.countTokens(text) + overhead };
  }
  return { method: 'characters', tokens: (text) => Math.ceil(text.length / 4) };
}


/** The sum of the estimates' ranges (answers' and judges' alike), or null when any has no price. */
export function totalCost(estimates: readonly Pick<Estimate, 'cost' | 'batchCost'>[], key: 'cost' | 'batchCost' = 'cost'): Estimate['cost'] {
  if (estimates.some((e) => e[key] === null)) return null;
  return estimates.reduce((sum, e) => ({ low: sum.low + e[key]!.low, high: sum.high + e[key]!.high }), { low: 0, high: 0 });
}
