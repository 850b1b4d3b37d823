import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { imagesBody, parseImageRequest, stubImage } from './images.js';
import { decodePng } from '../helpers/png.js';

// The stub's generated images are real PNGs, one per prompt, so e2e tests can tell rows apart.

describe('stubImage', () => {
  it('is a valid 4x2 PNG whose pixels are the prompt\'s hash', () => {
    const { width, height, pixels } = decodePng(stubImage('a fox'));
    const hash = createHash('sha256').update('a fox').digest();
    expect({ width, height }).toEqual({ width: 4, height: 2 });
    expect(pixels).toEqual(Buffer.concat([Buffer.from([0]), hash.subarray(0, 12), Buffer.from([0]), hash.subarray(12, 24)]));
  });

  it('differs between prompts and repeats for one', () => {
    expect(stubImage('a').equals(stubImage('b'))).toBe(false);
    expect(stubImage('a').equals(stubImage('a'))).toBe(true);
  });
});

describe('the stub Images API', () => {
  it.each([
    ['gpt-image-1: base64 always, with usage', { model: 'gpt-image-1', prompt: 'p' }, { b64: true, usage: true }],
    ['dall-e-3 asked for b64_json', { model: 'dall-e-3', prompt: 'p', response_format: 'b64_json' }, { b64: true, usage: false }],
    ['dall-e-3 by default: a URL', { model: 'dall-e-3', prompt: 'p' }, { b64: false, usage: false }],
  ])('%s', (_name, body, expected) => {
    const parsed = parseImageRequest(body);
    if (typeof parsed === 'string') throw new Error(parsed);
    const answer = JSON.parse(imagesBody(parsed.model, parsed.prompt, parsed.base64));
    expect(typeof answer.data[0].b64_json === 'string').toBe(expected.b64);
    expect(answer.usage !== undefined).toBe(expected.usage);
  });

  it.each([
    ['no prompt', { model: 'gpt-image-1' }, /^prompt: field required$/],
    ['two images', { model: 'gpt-image-1', prompt: 'p', n: 2 }, /^n: /],
  ])('refuses %s', (_name, body, message) => {
    expect(parseImageRequest(body)).toMatch(message);
  });
});
