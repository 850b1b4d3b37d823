import { describe, expect, it } from 'vitest';
import { batchLimits, pollDelays } from '../../src/core/batch/limits.js';
import { embeddingLine, requestLine } from '../../src/core/batch/requests.js';
import { customId, groupId, parseCustomId, requestRows } from '../../src/core/batch/types.js';
import { batchPrice, PRICES } from '../../src/core/pricing.js';
import type { PromptPart } from '../../src/core/providers/types.js';
import type { VariantSpec } from '../../src/core/spec.js';
import { strictSchema } from '../../src/core/structured/strict.js';

describe('batchPrice', () => {
  it.each([
    ['half of a table price', PRICES['gpt-4o-mini'], { input: 0.075, output: 0.3, creditsPerToken: 3e-7 }],
    ['half of a price without credits', PRICES['claude-haiku-4-5'], { input: 0.5, output: 2.5 }],
    ['a price that names its own batch price', { input: 1, output: 2, batch: { input: 0.7, output: 1.4 } }, { input: 0.7, output: 1.4 }],
    ['unknown stays unknown', undefined, undefined],
  ])('%s', (_, price, expected) => {
    expect(batchPrice(price)).toEqual(expected);
  });
});

describe('batchLimits', () => {
  it.each([
    ['openai', {}, { requests: 50_000, bytes: 200 * 1024 * 1024 }],
    ['anthropic', {}, { requests: 100_000, bytes: 256 * 1024 * 1024 }],
    ['openai', { EVALCTL_BATCH_MAX_REQUESTS: '7' }, { requests: 7, bytes: 200 * 1024 * 1024 }],
    ['anthropic', { EVALCTL_BATCH_MAX_REQUESTS: '999999', EVALCTL_BATCH_MAX_BYTES: '1000' }, { requests: 100_000, bytes: 1000 }],
  ] as const)('%s with %j', (provider, env, expected) => {
    expect(batchLimits(provider, env)).toEqual(expected);
  });

  it.each(['0', '-3', '1.5', 'many'])('refuses EVALCTL_BATCH_MAX_REQUESTS=%s in one line', (value) => {
    expect(() => batchLimits('openai', { EVALCTL_BATCH_MAX_REQUESTS: value })).toThrow(`EVALCTL_BATCH_MAX_REQUESTS must be a whole number of at least 1, not "${value}".`);
  });

  it('polls back off by half each time, up to a minute', () => {
    const next = pollDelays({ EVALCTL_BATCH_POLL_MS: '20000' });
    expect([next(), next(), next(), next()]).toEqual([20_000, 30_000, 45_000, 60_000]);
  });
});

describe('custom ids and request lines', () => {
  it.each([[0, 0, '0-0'], [12345, 3, '12345-3']])('row %i variant %i is %s and back', (row, variant, id) => {
    expect(customId(row, variant)).toBe(id);
    expect(parseCustomId(id)).toEqual({ row, variant });
  });
  it.each(['', '1', '1-', 'a-1', '1-2-3'])('%j is not a custom id of evalctl', (id) => {
    expect(parseCustomId(id)).toBeUndefined();
  });

  it.each<[number[], number, string]>([
    [[0, 1, 2, 3], 0, 'v0:r0-3'],
    [[5], 2, 'v2:r5'],
    [[3, 5, 7, 8, 9, 20], 1, 'v1:r3,5,7-9,20'],
  ])('embedding rows %j of variant %i are %s and back', (rows, variant, id) => {
    expect(groupId(variant, rows)).toBe(id);
    expect(requestRows(id)).toEqual({ rows, variant });
  });
  it.each(['v0:r', 'v0:3', 'v:r1', 'v0:r1,', 'v0:r1--2'])('%j names no rows', (id) => {
    expect(requestRows(id)).toBeUndefined();
  });

  const variant = (over: Partial<VariantSpec>): VariantSpec => ({ name: 'v', model: 'gpt-4o-mini', provider: 'openai', base_url: null, prompt: '{x}', system: null, temperature: 0, max_tokens: null, price: null, ...over });
  it.each([
    ['OpenAI chat', variant({ max_tokens: 5, system: 'S' }), { custom_id: '3-1', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hi' }], temperature: 0, max_tokens: 5 } }],
    ['OpenAI reasoning model', variant({ model: 'o3-mini', max_tokens: 5 }), { custom_id: '3-1', method: 'POST', url: '/v1/chat/completions', body: { model: 'o3-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 5 } }],
    ['Anthropic', variant({ model: 'claude-haiku-4-5', provider: 'anthropic' }), { custom_id: '3-1', params: { model: 'claude-haiku-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }], temperature: 0 } }],
  ])('%s', (_, spec, expected) => {
    expect(JSON.parse(requestLine(spec, 3, 1, 'hi'))).toEqual(expected);
  });
  const parts: PromptPart[] = ['Look: ', { type: 'image', mediaType: 'image/png', data: 'AAAA' }, { type: 'image', url: 'https://example.com/a.jpg' }];
  it.each([
    ['OpenAI', variant({}), (line: any) => line.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Look: ' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } }] }]],
    ['Anthropic', variant({ model: 'claude-haiku-4-5', provider: 'anthropic' }), (line: any) => line.params.messages, [{ role: 'user', content: [{ type: 'text', text: 'Look: ' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }, { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } }] }]],
  ])('%s with images sends the parts as live', (_, spec, pick, expected) => {
    expect(pick(JSON.parse(requestLine(spec, 3, 1, 'Look: [image …]', parts)))).toEqual(expected);
  });
  const schema = { type: 'object', properties: { label: { type: 'string', enum: ['a', 'b'] } } };
  it.each([
    ['OpenAI', variant({ schema }), (line: any) => line.body.response_format, { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: strictSchema(schema) } }],
    ['Anthropic', variant({ model: 'claude-haiku-4-5', provider: 'anthropic', schema }), (line: any) => [line.params.tools, line.params.tool_choice], [[{ name: 'answer', description: 'Give the answer.', input_schema: schema }], { type: 'tool', name: 'answer' }]],
  ])('%s with a schema sends it as live', (_, spec, pick, expected) => {
    expect(pick(JSON.parse(requestLine(spec, 3, 1, 'hi')))).toEqual(expected);
  });
  it.each([
    ['no --dimensions', null, { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' }],
    ['--dimensions 8', 8, { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float', dimensions: 8 }],
  ])('embeddings, %s', (_, dimensions, body) => {
    const spec = variant({ model: 'text-embedding-3-small', output_type: 'embeddings', dimensions });
    expect(JSON.parse(embeddingLine(spec, 1, [4, 5], ['a', 'b']))).toEqual({ custom_id: 'v1:r4-5', method: 'POST', url: '/v1/embeddings', body });
  });
});
