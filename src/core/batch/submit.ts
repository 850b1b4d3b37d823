import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AnswerLog, readAnswers } from '../answers.js';
import type { Dataset } from '../dataset.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { selectionOf } from '../output/job-output.js';
import { compileVariants } from '../prompts.js';
import { MAX_INPUTS, MAX_REQUEST_TOKENS } from '../embeddings/spec.js';
import { estimateTokens } from '../providers/echo.js';
import { endpointKey, type VariantSpec } from '../spec.js';
import { pendingPairs, readSample } from './pending.js';
import { embeddingLine, OPENAI_EMBEDDINGS_ENDPOINT, requestLine } from './requests.js';
import { BatchSender } from './sender.js';
import { resolveRow } from '../images/resolve.js';
import type { RowParts } from '../images/parts.js';
import type { FailureKind } from '../providers/types.js';

/** Embedding variants' rows being grouped into one request (as `batchEmbeddings` groups them live). */
interface OpenGroup {
  rows: number[];
  inputs: string[];
  tokens: number;
}

const isEmbedding = (v: VariantSpec) => v.output_type === 'embeddings';
/** A batch has one endpoint: an endpoint's embedding requests go in batches of their own. */
const batchKey = (v: VariantSpec) => `${endpointKey(v)}${isEmbedding(v) ? ` ${OPENAI_EMBEDDINGS_ENDPOINT}` : ''}`;

/**
 * Sends every (row, variant) without an answer, and not already in a batch of the job, to the
 * providers' batch APIs: rows are streamed from the dataset into one request file per endpoint,
 * and a file is sent as a batch as soon as it is full (the provider's request and byte limits),
 * so a job of any size holds one chunk of rows in memory. Each batch is in the record as soon
 * as the provider has it (a crash never loses track of a paid batch). Returns the record.
 */
export async function submitBatches(store: JobStore, job: JobRecord, dataset: Dataset, env: NodeJS.ProcessEnv): Promise<JobRecord> {
  const s = job.settings;
  const paths = store.paths(job.id);
  mkdirSync(join(paths.dir, 'batches'), { recursive: true });
  const state = await readAnswers(paths.answers, dataset.rowCount, s.variants.length);
  const pending = await pendingPairs(store, job, dataset.rowCount);
  // `--input-type image`: the image columns' cells are read as images, row by row as the lines are written.
  const images = new Set(s.input_type === 'image' ? s.image_columns ?? [] : []);
  const { columns, renders, parts } = compileVariants(s.variants, dataset, images);
  const selection = selectionOf(job, paths.sample);
  const chosen = selection.kind === 'rows' ? new Set(readSample(selection.path)) : undefined;
  const limit = selection.kind === 'first' ? selection.count : selection.kind === 'range' ? selection.end : undefined;
  const start = selection.kind === 'range' ? selection.start : 0;

  const sender = new BatchSender(store, job, env);
  const groups: (OpenGroup | undefined)[] = s.variants.map(() => undefined);
  const groupSize = Math.max(1, Math.min(s.batch_size, MAX_INPUTS));
  let unsent: AnswerLog | undefined;

  try {
    await streamRequests();
    for (let index = 0; index < s.variants.length; index++) await closeGroup(index);
    await sender.flush();
  } finally {
    // A submission cut short (a refused batch): the unsent files are dropped; resume writes them again.
    sender.dispose();
    unsent?.close();
  }
  return sender.job;

  async function streamRequests(): Promise<void> {
    for await (const chunk of dataset.stream(columns, limit, images)) {
      for (let i = 0; i < chunk.rows.length; i++) {
        const row = chunk.rows[i];
        if (row < start || (chosen && !chosen.has(row))) continue;
        for (let index = 0; index < s.variants.length; index++) {
          const at = row * s.variants.length + index;
          if (state.done[at] || pending[at]) continue;
          const variant = s.variants[index];
          if (images.size > 0) { await writeWithImages(index, row, parts[index](chunk.values[i])); continue; }
          const prompt = renders[index](chunk.values[i]);
          if (isEmbedding(variant)) await addToGroup(index, row, prompt);
          else await write(variant, Buffer.from(`${requestLine(variant, row, index, prompt)}\n`));
        }
      }
    }
  }

  /** Adds a row to its embedding variant's open request, closing it (a line) when full. */
  async function addToGroup(index: number, row: number, prompt: string): Promise<void> {
    if (prompt.trim() === '') return failUnsent(index, row, 'the input is empty; embedding endpoints refuse empty text, so it was not sent', 'bad-request');
    const tokens = estimateTokens(prompt);
    const current = groups[index];
    if (current && current.tokens + tokens > MAX_REQUEST_TOKENS) await closeGroup(index);
    const group = (groups[index] ??= { rows: [], inputs: [], tokens: 0 });
    group.rows.push(row);
    group.inputs.push(prompt);
    group.tokens += tokens;
    if (group.rows.length >= groupSize) await closeGroup(index);
  }

  async function closeGroup(index: number): Promise<void> {
    const group = groups[index];
    if (!group) return;
    groups[index] = undefined;
    await write(s.variants[index], Buffer.from(`${embeddingLine(s.variants[index], index, group.rows, group.inputs)}\n`));
  }

  /**
   * A row's images read (as live: a URL passed on, a file or data: URL read, sniffed and size-checked)
   * into its request line, written at once so no more than one row's images are held. An image that
   * cannot be read, or a request over the batch file's byte limit, fails the row unsent.
   */
  async function writeWithImages(index: number, row: number, rowParts: RowParts): Promise<void> {
    const variant = s.variants[index];
    const resolved = await resolveRow(rowParts, { baseDir: s.image_base ?? process.cwd(), provider: variant.provider });
    if ('error' in resolved) return failUnsent(index, row, resolved.error, 'bad-input');
    const line = Buffer.from(`${requestLine(variant, row, index, resolved.key, resolved.parts)}\n`);
    const max = sender.maxBytes(endpointOf(variant));
    if (line.length > max) return failUnsent(index, row, `the request with its images is ${sizeOf(line.length)}, over the batch file limit of ${sizeOf(max)}, so it was not sent`, 'too-large');
    await write(variant, line);
  }

  /**
   * A row that cannot be sent fails unsent, as live: empty text for an embedding API (a 400 that
   * would fail the whole request), an image that cannot be read, a request too large for a batch.
   */
  function failUnsent(index: number, row: number, error: string, kind: FailureKind): void {
    unsent ??= new AnswerLog(paths.answers);
    unsent.append({ row, variant: index, status: 'failed', answer: null, error, error_kind: kind, attempts: 0, latency_ms: null, prompt_tokens: 0, completion_tokens: 0, cost: 0 });
  }

  /** Appends a request line to its variant's batch set (an endpoint's embedding requests go in batches of their own). */
  async function write(variant: VariantSpec, line: Buffer): Promise<void> {
    await sender.write({ key: batchKey(variant), endpoint: endpointOf(variant), ...(isEmbedding(variant) ? { url: OPENAI_EMBEDDINGS_ENDPOINT } : {}) }, line);
  }
}

const endpointOf = (variant: VariantSpec) => ({ provider: variant.provider as 'openai' | 'anthropic', base_url: variant.base_url, model: variant.model });
const sizeOf = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} bytes`);
