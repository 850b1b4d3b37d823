import { describe, expect, it } from 'vitest';
import { batchEmbeddings, shareTokens } from '../../src/core/embeddings/batcher.js';
import { resolveOutput } from '../../src/core/embeddings/spec.js';
import { EchoProvider } from '../../src/core/providers/echo.js';
import type { Lane, WorkItem } from '../../src/core/run/work.js';

const lane = (embedding: boolean): Lane => ({ provider: new EchoProvider(), request: {}, cache: false, endpoint: 'e', endpointLabel: 'e', ...(embedding ? { embedding: {} } : {}) });

async function batches(chunks: WorkItem[][], lanes: Lane[], size: number): Promise<(number[] | number)[]> {
  async function* source() { yield* chunks; }
  const out: (number[] | number)[] = [];
  for await (const chunk of batchEmbeddings(source(), lanes, size)) for (const item of chunk) out.push(item.batch ? item.batch.map((b) => b.row) : item.row);
  return out;
}
const items = (rows: number[], variant = 0, prompt = (row: number) => `text ${row}`): WorkItem[] => rows.map((row) => ({ row, variant, prompt: prompt(row) }));

describe('batchEmbeddings', () => {
  it.each<[string, WorkItem[][], Lane[], number, (number[] | number)[]]>([
    ['groups an embedding lane by batch size across chunks, the rest at the end', [items([0, 1, 2]), items([3, 4])], [lane(true)], 2, [[0, 1], [2, 3], [4]]],
    ['leaves chat lanes one by one', [items([0, 1, 2])], [lane(false)], 2, [0, 1, 2]],
    ['passes empty inputs through alone (the runner fails them unsent)', [items([0, 1, 2], 0, (r) => (r === 1 ? ' ' : 'x'))], [lane(true)], 5, [1, [0, 2]]],
    ['keeps variants apart', [[...items([0], 0), ...items([0], 1), ...items([1], 0), ...items([1], 1)]], [lane(true), lane(false)], 2, [0, [0, 1], 1]],
    ['caps a batch at 2,048 inputs', [items(Array.from({ length: 2050 }, (_, i) => i))], [lane(true)], 5000, [Array.from({ length: 2048 }, (_, i) => i), [2048, 2049]]],
    ['caps a batch at 300,000 tokens', [items([0, 1, 2], 0, () => 'x'.repeat(500_000))], [lane(true)], 10, [[0, 1], [2]]],
  ])('%s', async (_, chunks, lanes, size, expected) => {
    expect(await batches(chunks, lanes, size)).toEqual(expected);
  });
});

describe('shareTokens', () => {
  it.each<[number, string[], number[]]>([
    [10, ['ab', 'ab'], [5, 5]],
    [7, ['a', 'aaa', 'aaa'], [1, 3, 3]],
    [3, ['aaaa', 'a', 'a'], [2, 0, 1]],
    [0, ['x'], [0]],
  ])('%i tokens over %j', (total, prompts, expected) => {
    const shares = shareTokens(total, prompts);
    expect(shares).toEqual(expected);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
  });
});

describe('resolveOutput', () => {
  const openai = (model: string) => ({ provider: 'openai' as const, model });
  it.each<[{ provider: 'openai' | 'anthropic'; model: string }, 'text' | 'embeddings' | undefined, number | undefined, unknown]>([
    [openai('gpt-4o-mini'), undefined, undefined, { output_type: 'text', dimensions: null }],
    [openai('text-embedding-3-small'), undefined, undefined, { output_type: 'embeddings', dimensions: 1536 }],
    [openai('text-embedding-3-large'), 'embeddings', 256, { output_type: 'embeddings', dimensions: 256 }],
    [openai('nomic-embed-text'), 'embeddings', undefined, { output_type: 'embeddings', dimensions: null }],
    [openai('text-embedding-3-small'), undefined, 4000, /at most 1536/],
    [openai('text-embedding-ada-002'), undefined, 512, /it has no --dimensions/],
    [openai('text-embedding-3-small'), 'text', undefined, /is an embedding model/],
    [{ provider: 'anthropic', model: 'claude-haiku-4-5' }, 'embeddings', undefined, /cannot write embeddings/],
    [openai('gpt-4o-mini'), undefined, 8, /--dimensions goes with --output-type embeddings/],
  ])('%j %s %s', (choice, type, dimensions, expected) => {
    if (expected instanceof RegExp) expect(() => resolveOutput(choice, type, dimensions)).toThrow(expected);
    else expect(resolveOutput(choice, type, dimensions)).toEqual(expected);
  });
});
