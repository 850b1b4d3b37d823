import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ProviderError } from '../errors.js';
import { apiKeyFor } from '../models.js';
import { kindForStatus } from '../providers/failure.js';
import type { FailureKind } from '../providers/types.js';
import { OPENAI_BATCH_ENDPOINT } from './requests.js';
import type { BatchCounts, BatchResult } from './types.js';

/** A provider's batch API behind one small interface: create, look at, cancel, read results. */
export interface BatchApi {
  /** Sends the request file (JSONL, in the provider's batch shape) as one batch to `url` (OpenAI; default chat completions); returns its id. */
  create(file: string, url?: string): Promise<string>;
  retrieve(id: string): Promise<{ status: string; ended: boolean; counts: BatchCounts }>;
  cancel(id: string): Promise<void>;
  /** The results of an ended batch, streamed in whatever order the provider returns them. */
  results(id: string): AsyncIterable<BatchResult>;
}

/**
 * The batch API of an endpoint. Unlike live calls these use the SDKs' own fetch (file uploads
 * and streamed downloads) and their retries (a poll that fails once is simply asked again).
 */
export function batchApi(endpoint: { provider: 'openai' | 'anthropic'; base_url: string | null; model: string }, env: NodeJS.ProcessEnv): BatchApi {
  const apiKey = apiKeyFor({ provider: endpoint.provider, model: endpoint.model, ...(endpoint.base_url ? { baseURL: endpoint.base_url } : {}) }, env);
  const baseURL = endpoint.base_url ?? undefined;
  return endpoint.provider === 'anthropic' ? anthropicBatches(new Anthropic({ apiKey, baseURL })) : openaiBatches(new OpenAI({ apiKey, baseURL }));
}

function openaiBatches(client: OpenAI): BatchApi {
  return {
    async create(file, url = OPENAI_BATCH_ENDPOINT) {
      const stream = createReadStream(file);
      // An upload that failed (a connection error) may leave the stream to open the file after the
      // caller has removed it: its late error must not crash the process; the failure is already thrown.
      stream.on('error', () => {});
      let uploaded;
      try {
        uploaded = await client.files.create({ file: stream, purpose: 'batch' });
      } finally {
        stream.destroy();
      }
      const batch = await client.batches.create({ input_file_id: uploaded.id, endpoint: url as OpenAI.Batches.BatchCreateParams['endpoint'], completion_window: '24h' });
      return batch.id;
    },
    async retrieve(id) {
      const batch = await client.batches.retrieve(id);
      const c = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
      const ended = ['completed', 'failed', 'expired', 'cancelled'].includes(batch.status);
      return { status: batch.status, ended, counts: { processing: ended ? 0 : c.total - c.completed - c.failed, succeeded: c.completed, errored: c.failed, expired: 0, canceled: 0 } };
    },
    async cancel(id) {
      await client.batches.cancel(id);
    },
    async *results(id) {
      const batch = await client.batches.retrieve(id);
      for (const file of [batch.output_file_id, batch.error_file_id]) {
        if (!file) continue;
        const response = await client.files.content(file);
        if (!response.body) continue;
        const lines = createInterface({ input: Readable.fromWeb(response.body as never), crlfDelay: Infinity });
        for await (const line of lines) if (line.trim()) yield openaiResult(JSON.parse(line));
      }
    },
  };
}

function openaiResult(line: any): BatchResult {
  const custom_id = String(line.custom_id);
  const response = line.response;
  if (!response) {
    const expired = line.error?.code === 'batch_expired';
    return { custom_id, type: 'failed', kind: expired ? 'expired' : 'other', message: `${expired ? 'expired in the batch' : 'failed in the batch'}: ${line.error?.message ?? 'no response'}` };
  }
  if (response.status_code !== 200) {
    return { custom_id, type: 'failed', kind: kindForStatus(response.status_code), message: `OpenAI ${response.status_code}: ${response.body?.error?.message ?? 'error'}` };
  }
  if (Array.isArray(response.body?.data)) return embeddingsResult(custom_id, response.body);
  const choice = response.body?.choices?.[0];
  const content = choice?.message?.content;
  if (choice?.finish_reason === 'content_filter' || (typeof content !== 'string' && choice?.message?.refusal)) {
    return { custom_id, type: 'failed', kind: 'refusal', message: `refused: ${choice?.message?.refusal ?? 'the content filter stopped the answer'}` };
  }
  if (typeof content !== 'string') return { custom_id, type: 'failed', kind: 'bad-response', message: 'the answer has no content (null)' };
  const usage = response.body.usage ?? {};
  return { custom_id, type: 'succeeded', text: content, promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0 };
}

/** An embeddings response: the vectors in input order (a missing one is an empty string, failed by collect). */
function embeddingsResult(custom_id: string, body: any): BatchResult {
  const texts: string[] = new Array(body.data.length).fill('');
  for (const item of body.data) {
    if (Number.isInteger(item?.index) && item.index >= 0 && item.index < texts.length && Array.isArray(item.embedding)) texts[item.index] = JSON.stringify(item.embedding);
  }
  return { custom_id, type: 'succeeded', text: '', texts, promptTokens: body.usage?.prompt_tokens ?? 0, completionTokens: 0 };
}

function anthropicBatches(client: Anthropic): BatchApi {
  return {
    async create(file) {
      const requests = [];
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line.trim()) requests.push(JSON.parse(line));
      return (await client.messages.batches.create({ requests })).id;
    },
    async retrieve(id) {
      const batch = await client.messages.batches.retrieve(id);
      return { status: batch.processing_status, ended: batch.processing_status === 'ended', counts: { ...batch.request_counts } };
    },
    async cancel(id) {
      await client.messages.batches.cancel(id);
    },
    async *results(id) {
      for await (const item of await client.messages.batches.results(id)) yield anthropicResult(item);
    },
  };
}

const ANTHROPIC_KINDS: Record<string, FailureKind> = { invalid_request_error: 'bad-request', authentication_error: 'auth', permission_error: 'auth', not_found_error: 'not-found', rate_limit_error: 'rate-limit', overloaded_error: 'server', api_error: 'server' };

function anthropicResult(item: Anthropic.Messages.MessageBatchIndividualResponse): BatchResult {
  const custom_id = item.custom_id;
  const result = item.result;
  if (result.type === 'canceled') return { custom_id, type: 'canceled' };
  if (result.type === 'expired') return { custom_id, type: 'failed', kind: 'expired', message: 'expired in the batch before it was processed' };
  if (result.type === 'errored') {
    const error = (result.error as { error?: { type?: string; message?: string } }).error;
    return { custom_id, type: 'failed', kind: ANTHROPIC_KINDS[error?.type ?? ''] ?? 'other', message: `Anthropic: ${error?.message ?? 'error'}` };
  }
  const message = result.message;
  if ((message.stop_reason as string) === 'refusal') return { custom_id, type: 'failed', kind: 'refusal', message: 'refused: the model declined to answer (stop_reason "refusal")' };
  let text = '';
  for (const block of message.content ?? []) if (block.type === 'text') text += block.text;
  // A forced tool (structured output): the answer is the tool's input, as in providers/anthropic.ts.
  const tool = (message.content ?? []).find((block) => block.type === 'tool_use');
  if (tool && tool.type === 'tool_use') text = JSON.stringify(tool.input);
  return { custom_id, type: 'succeeded', text, promptTokens: message.usage?.input_tokens ?? 0, completionTokens: message.usage?.output_tokens ?? 0 };
}

/** A batch call that failed, as one line naming the provider batch. */
export function batchCallError(action: string, id: string | undefined, error: unknown, hint = 'Check the API key and base URL, then run `evalctl status` again; the job and its batches are kept.'): ProviderError {
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new ProviderError(`Could not ${action}${id ? ` batch ${id}` : ''}: ${detail}`, { hint, cause: error });
}
