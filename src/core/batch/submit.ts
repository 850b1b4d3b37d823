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
  const { columns, renders } = compileVariants(s.variants, dataset);
  const selection = selectionOf(job, paths.sample);
  const chosen = selection.kind === 'rows' ? new Set(readSample(selection.path)) : undefined;
  const limit = selection.kind === 'first' ? selection.count : selection.kind === 'range' ? selection.end : undefined;
  const start = selection.kind === 'range' ? selection.start : 0;

  const sender = new BatchSender(store, job, env);
  const groups: (OpenGroup | undefined)[] = s.variants.map(() => undefined);
  const groupSize = Math.max(1, Math.min(s.batch_size, MAX_INPUTS));
  let empties: AnswerLog | undefined;

  try {
    await streamRequests();
    for (let index = 0; index < s.variants.length; index++) await closeGroup(index);
    await sender.flush();
  } finally {
    // A submission cut short (a refused batch): the unsent files are dropped; resume writes them again.
    sender.dispose();
    empties?.close();
  }
  return sender.job;

  async function streamRequests(): Promise<void> {
    for await (const chunk of dataset.stream(columns, limit)) {
      for (let i = 0; i < chunk.rows.length; i++) {
        const row = chunk.rows[i];
        if (row < start || (chosen && !chosen.has(row))) continue;
        for (let index = 0; index < s.variants.length; index++) {
          const at = row * s.variants.length + index;
          if (state.done[at] || pending[at]) continue;
          const variant = s.variants[index];
          const prompt = renders[index](chunk.values[i]);
          if (isEmbedding(variant)) await addToGroup(index, row, prompt);
          else await write(variant, Buffer.from(`${requestLine(variant, row, index, prompt)}\n`));
        }
      }
    }
  }

  /** Adds a row to its embedding variant's open request, closing it (a line) when full. */
  async function addToGroup(index: number, row: number, prompt: string): Promise<void> {
    if (prompt.trim() === '') return failEmpty(index, row);
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

  /** Embedding APIs refuse empty text (a 400 that would fail the whole request): the row fails unsent, as live. */
  function failEmpty(index: number, row: number): void {
    empties ??= new AnswerLog(paths.answers);
    empties.append({
      row, variant: index, status: 'failed', answer: null, error: 'the input is empty; embedding endpoints refuse empty text, so it was not sent',
      error_kind: 'bad-request', attempts: 0, latency_ms: null, prompt_tokens: 0, completion_tokens: 0, cost: 0,
    });
  }

  /** Appends a request line to its variant's batch set (an endpoint's embedding requests go in batches of their own). */
  async function write(variant: VariantSpec, line: Buffer): Promise<void> {
    const endpoint = { provider: variant.provider as 'openai' | 'anthropic', base_url: variant.base_url, model: variant.model };
    await sender.write({ key: batchKey(variant), endpoint, ...(isEmbedding(variant) ? { url: OPENAI_EMBEDDINGS_ENDPOINT } : {}) }, line);
  }
}
