// The stub's batch endpoints, driven through the real `openai` and `@anthropic-ai/sdk` clients.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStub, stubAnswer, type Stub } from './server.js';

let stub: Stub;
beforeAll(async () => { stub = await startStub(); });
afterAll(async () => { await stub.close(); });
afterEach(() => {
  stub.configure({ batchPolls: undefined, batchMaxRequests: undefined, batchExpirePrompts: undefined, failPrompts: undefined });
  stub.reset();
});

const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: stub.openaiBaseURL, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'ak-test', baseURL: stub.anthropicBaseURL, maxRetries: 0 });
const prompts = (n: number) => Array.from({ length: n }, (_, i) => `prompt ${i}`);

/** Submits `list` as one OpenAI batch; returns its id. */
async function openaiBatch(list: string[]): Promise<string> {
  const client = openai();
  const lines = list.map((prompt, i) => JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] } }));
  const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'in.jsonl'), purpose: 'batch' });
  const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  return batch.id;
}

async function openaiLines(fileId: string | null | undefined): Promise<any[]> {
  if (!fileId) return [];
  const text = await (await openai().files.content(fileId)).text();
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

async function anthropicBatch(list: string[]): Promise<string> {
  const batch = await anthropic().messages.batches.create({ requests: list.map((prompt, i) => ({ custom_id: `r${i}`, params: { model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: prompt }] } })) });
  return batch.id;
}

async function anthropicResults(id: string): Promise<any[]> {
  const out: any[] = [];
  for await (const item of await anthropic().messages.batches.results(id)) out.push(item);
  return out;
}

describe('OpenAI batches', () => {
  it('upload, create, poll to completion, download results matched by custom_id and shuffled', async () => {
    stub.configure({ batchPolls: 3 });
    const list = prompts(40);
    const id = await openaiBatch(list);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await openai().batches.retrieve(id));
    expect(seen.map((b) => b.status)).toEqual(['in_progress', 'in_progress', 'completed']);
    expect(seen.map((b) => b.request_counts?.completed)).toEqual([13, 26, 40]);
    const lines = await openaiLines(seen[2].output_file_id);
    expect(lines.map((l) => l.custom_id)).not.toEqual(list.map((_, i) => `r${i}`));
    expect(lines.map((l) => l.custom_id).sort()).toEqual(list.map((_, i) => `r${i}`).sort());
    for (const line of lines) expect(line.response.body.choices[0].message.content).toBe(stubAnswer(list[Number(line.custom_id.slice(1))]));
    expect(stub.stats().paid).toBe(40);
    expect(stub.stats().batches).toEqual({ created: 1, cancelled: 0, requests: 40 });
  });

  it('errored requests go to the error file with their status; expired ones with batch_expired', async () => {
    stub.configure({ failPrompts: ['prompt 1'], batchExpirePrompts: ['prompt 2'] });
    const id = await openaiBatch(prompts(4));
    const batch = await openai().batches.retrieve(id);
    expect(batch.status).toBe('expired');
    const errors = await openaiLines(batch.error_file_id);
    expect(errors.map((e) => [e.custom_id, e.response?.status_code ?? e.error.code]).sort()).toEqual([['r1', 400], ['r2', 'batch_expired']]);
    expect((await openaiLines(batch.output_file_id)).map((l) => l.custom_id).sort()).toEqual(['r0', 'r3']);
  });

  it('cancel keeps the requests done so far; a batch over the limit is refused', async () => {
    stub.configure({ batchPolls: 2 });
    const id = await openaiBatch(prompts(10));
    expect((await openai().batches.retrieve(id)).request_counts?.completed).toBe(5);
    expect((await openai().batches.cancel(id)).status).toBe('cancelling');
    const ended = await openai().batches.retrieve(id);
    expect(ended.status).toBe('cancelled');
    expect((await openaiLines(ended.output_file_id))).toHaveLength(5);
    expect((await openai().batches.list()).data.map((b) => b.id)).toContain(id);
    stub.configure({ batchMaxRequests: 3 });
    await expect(openaiBatch(prompts(4))).rejects.toMatchObject({ status: 400 });
  });
});

describe('Anthropic message batches', () => {
  it('create, poll to ended, stream results from results_url, shuffled', async () => {
    stub.configure({ batchPolls: 2 });
    const list = prompts(20);
    const id = await anthropicBatch(list);
    const first = await anthropic().messages.batches.retrieve(id);
    expect(first).toMatchObject({ processing_status: 'in_progress', request_counts: { processing: 10, succeeded: 10 }, results_url: null });
    const ended = await anthropic().messages.batches.retrieve(id);
    expect(ended).toMatchObject({ processing_status: 'ended', request_counts: { processing: 0, succeeded: 20 } });
    const results = await anthropicResults(id);
    expect(results.map((r) => r.custom_id)).not.toEqual(list.map((_, i) => `r${i}`));
    for (const r of results) expect(r.result.message.content[0].text).toBe(stubAnswer(list[Number(r.custom_id.slice(1))]));
  });

  it('errored, expired and canceled results', async () => {
    stub.configure({ failPrompts: ['prompt 1'], batchExpirePrompts: ['prompt 2'], batchPolls: 4 });
    const id = await anthropicBatch(prompts(8));
    await anthropic().messages.batches.retrieve(id);
    await anthropic().messages.batches.cancel(id);
    const ended = await anthropic().messages.batches.retrieve(id);
    expect(ended.processing_status).toBe('ended');
    const types = Object.fromEntries((await anthropicResults(id)).map((r) => [r.custom_id, r.result.type]));
    expect(types.r2).toBe('expired');
    expect(Object.values(types).filter((t) => t === 'canceled').length).toBeGreaterThan(0);
    expect(Object.keys(types)).toHaveLength(8);
    expect((await anthropic().messages.batches.list()).data.map((b) => b.id)).toContain(id);
  });
});
