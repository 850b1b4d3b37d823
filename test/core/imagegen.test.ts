import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageOutput, imageOutputConflict } from '../../src/core/imagegen/spec.js';
import { imagesFolder, imageStem, writeImage } from '../../src/core/imagegen/files.js';
import { generatedImageColumns } from '../../src/core/imagegen/columns.js';

// Image generation's rules: which models and flags make a variant generate images, what cannot
// go with it, and where each image is written.

describe('imageOutput', () => {
  const openai = (model: string) => ({ provider: 'openai' as const, model });
  it.each([
    ['gpt-image-1 implies it', openai('gpt-image-1'), undefined, { output_type: 'image' }],
    ['dall-e-3 implies it', openai('dall-e-3'), undefined, { output_type: 'image' }],
    ['asked for, at a compatible server', openai('flux-schnell'), 'image', { output_type: 'image' }],
    ['a chat model writes text', openai('gpt-4o-mini'), undefined, undefined],
    ['embeddings are not images', openai('text-embedding-3-small'), 'embeddings', undefined],
  ] as const)('%s', (_name, choice, type, expected) => {
    expect(imageOutput(choice, type, undefined)).toEqual(expected);
  });

  it.each([
    ['Anthropic', { provider: 'anthropic' as const, model: 'claude-haiku-4-5' }, 'image', undefined, /Anthropic has no image-generation API/],
    ['echo', { provider: 'echo' as const, model: 'echo' }, 'image', undefined, /the offline model has none/],
    ['an image model asked for text', openai('gpt-image-1'), 'text', undefined, /^gpt-image-1 is an image-generation model; it cannot write text\.$/],
    ['an embedding model asked for images', openai('text-embedding-3-small'), 'image', undefined, /is an embedding model; it cannot generate images/],
    ['--dimensions', openai('gpt-image-1'), undefined, 256, /^--dimensions goes with --output-type embeddings, not image\.$/],
  ] as const)('refuses %s', (_name, choice, type, dimensions, message) => {
    expect(() => imageOutput(choice, type, dimensions)).toThrow(message);
  });
});

describe('imageOutputConflict', () => {
  const generating = { output_type: 'image', system: null };
  const base = { variants: [generating], output_format: 'parquet' };
  it.each([
    ['nothing in the way', base, {}, undefined],
    ['--embed-images to parquet', base, { embedImages: true }, undefined],
    ['--embed-images without images', { ...base, variants: [{ system: null }] }, { embedImages: true }, /goes with --output-type image/],
    ['a schema', { ...base, variants: [{ ...generating, schema: {} }] }, {}, /--schema/],
    ['a system prompt', { ...base, variants: [{ ...generating, system: 'be brief' }] }, {}, /--system/],
    ['image inputs', { ...base, input_type: 'image' }, {}, /image edits are not supported/],
    ['video inputs', { ...base, input_type: 'video' }, {}, /--input-type video/],
    ['a judge', { ...base, judge: {} }, {}, /--judge/],
    ['pairwise', { ...base, pairwise: {} }, {}, /--pairwise/],
    ['--batch-api', base, { batchApi: true }, /^--batch-api does not support --output-type image\.$/],
    ['-o -', base, { output: '-' }, /-o -/],
    ['-o s3://', base, { output: 's3://b/k.parquet' }, /-o s3:\/\//],
    ['--embed-images to JSONL', { ...base, output_format: 'jsonl' }, { embedImages: true }, /needs a parquet output/],
  ])('%s', (_name, spec, request, expected) => {
    const conflict = imageOutputConflict(spec, request);
    if (expected === undefined) expect(conflict).toBeUndefined();
    else expect(conflict).toMatch(expected);
  });
});

describe('image files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evalctl-imagegen-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a folder per output file, named after the whole name (out.csv and out.parquet never share one)', () => {
    expect(imagesFolder('/data/out.csv')).toBe('/data/out.csv.images');
    expect(imagesFolder('/data/out.parquet')).not.toBe(imagesFolder('/data/out.csv'));
  });

  it.each([[0, undefined, '0'], [41, 'mini', '41-mini']])('row %i, variant %s: %s', (row, variant, stem) => {
    expect(imageStem(row, variant)).toBe(stem);
  });

  it('writes whole files under their name, leaving no partial file, and returns the path relative to the output folder', () => {
    const folder = join(dir, 'out.csv.images');
    expect(writeImage(folder, '3.png', Buffer.from('one'))).toBe('out.csv.images/3.png');
    expect(writeImage(folder, '3.png', Buffer.from('two'))).toBe('out.csv.images/3.png');
    expect(readFileSync(join(folder, '3.png'), 'utf8')).toBe('two');
    expect(readdirSync(folder)).toEqual(['3.png']);
  });
});

describe('generatedImageColumns', () => {
  it.each([
    [false, ['p', 'p_status', 'p_error']],
    [true, ['p', 'p_status', 'p_error', 'p_image']],
  ])('embed %s', (embed, names) => {
    expect(generatedImageColumns('p', 'x', 's', '/out.parquet.images', embed).map((c) => c.name)).toEqual(names);
  });
});
