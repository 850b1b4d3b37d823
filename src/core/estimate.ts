import type { Dataset } from './dataset.js';
import type { JobRecord } from './jobs.js';
import { costOf, priceFor } from './pricing.js';
import { sampleRows } from './sample.js';
import { bindColumns, compileTemplate, parseTemplate } from './template.js';

/** What a run would cost, worked out without calling the model. */
export interface Estimate {
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
}

/** Rows measured exactly; beyond this the mean of the first ones is extrapolated. */
const MEASURED_ROWS = 5000;
/** A short label-like answer, for the low end when nothing bounds the output. */
const LOW_OUTPUT_TOKENS = 5;
/** Assumed longest answer when --max-tokens is not given. */
const HIGH_OUTPUT_TOKENS = 256;

/** Counts (or estimates) prompt tokens over the rows a job would send, and prices them. */
export async function estimateJob(dataset: Dataset, job: Omit<JobRecord, 'id'>): Promise<Estimate> {
  const s = job.settings;
  const template = parseTemplate(s.prompt);
  const binding = bindColumns(template, dataset.columns.map((c) => c.name), dataset.label);
  const columns = [...new Set(binding.values())];
  const render = compileTemplate(template, columns, binding);
  const count = await tokenCounter(s.provider, s.model);
  const rows = job.progress.total;
  const chosen = s.is_sample && s.sample_seed !== null && s.sample_count !== null
    ? new Set(sampleRows(dataset.rowCount, s.sample_count, s.sample_seed)) : undefined;
  const limit = s.is_sample && s.sample_seed === null ? s.sample_count ?? undefined : undefined;
  const systemTokens = s.system ? count.tokens(s.system) : 0;
  const examples: string[] = [];
  let measured = 0;
  let tokens = 0;
  outer: for await (const chunk of dataset.stream(columns, limit)) {
    for (let i = 0; i < chunk.rows.length; i++) {
      if (chosen && !chosen.has(chunk.rows[i])) continue;
      const prompt = render(chunk.values[i]);
      if (examples.length < 3) examples.push(prompt);
      tokens += count.tokens(prompt) + systemTokens;
      if (++measured >= MEASURED_ROWS) break outer;
    }
  }
  const inputTokens = measured >= rows ? tokens : Math.round((tokens / Math.max(1, measured)) * rows);
  const high = s.max_tokens ?? HIGH_OUTPUT_TOKENS;
  const outputTokensPerRow = { low: Math.min(LOW_OUTPUT_TOKENS, high), high };
  const price = s.price ?? priceFor(s.model);
  return {
    rows,
    examples,
    method: count.method,
    measuredRows: Math.min(measured, rows),
    inputTokens,
    outputTokensPerRow,
    cost: price
      ? { low: costOf(price, inputTokens, rows * outputTokensPerRow.low), high: costOf(price, inputTokens, rows * outputTokensPerRow.high) }
      : null,
  };
}

async function tokenCounter(provider: string, model: string): Promise<{ method: Estimate['method']; tokens: (text: string) => number }> {
  if (provider === 'openai' && /^(gpt-|o\d|chatgpt-|text-embedding-)/.test(model)) {
    const legacy = /^(gpt-4(?!o|\.)|gpt-3\.5|text-embedding-)/.test(model);
    const encoding = legacy ? await import('gpt-tokenizer/encoding/cl100k_base') : await import('gpt-tokenizer/encoding/o200k_base');
    // Chat formatting adds a few tokens per message.
    return { method: 'tokenizer', tokens: (text) => encoding.countTokens(text) + 4 };
  }
  return { method: 'characters', tokens: (text) => Math.ceil(text.length / 4) };
}

