import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageLimitBytes, sniffImage } from '../../src/core/images/sniff.js';
import { resolveImage, resolveRow } from '../../src/core/images/resolve.js';
import { imageColumns } from '../../src/core/images/columns.js';

// The image half of `--input-type image`: what a cell becomes before it is sent.

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
const bytes = (text: string) => Buffer.from(text, 'latin1');

const dir = mkdtempSync(join(tmpdir(), 'evalctl-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'dot.png'), PNG_1X1);
writeFileSync(join(dir, 'notes.txt'), 'not an image');
writeFileSync(join(dir, 'huge.png'), PNG_1X1);
truncateSync(join(dir, 'huge.png'), 6 * 1024 * 1024);

describe('sniffImage', () => {
  it.each([
    ['PNG', PNG_1X1, 'image/png'],
    ['JPEG', JPEG, 'image/jpeg'],
    ['GIF87a', bytes('GIF87a\x01\x00'), 'image/gif'],
    ['GIF89a', bytes('GIF89a\x01\x00'), 'image/gif'],
    ['WebP', bytes('RIFF\x10\x00\x00\x00WEBPVP8 '), 'image/webp'],
    ['RIFF but WAVE', bytes('RIFF\x10\x00\x00\x00WAVEfmt '), undefined],
    ['text', bytes('hello world'), undefined],
    ['PDF', bytes('%PDF-1.7'), undefined],
    ['empty', Buffer.alloc(0), undefined],
    ['PNG signature cut short', PNG_1X1.subarray(0, 4), undefined],
  ])('%s', (_name, input, expected) => {
    expect(sniffImage(input)).toBe(expected);
  });
});

describe('imageLimitBytes', () => {
  it.each([['openai', 20], ['anthropic', 5], ['echo', 20]] as const)('%s: %i MB', (provider, mb) => {
    expect(imageLimitBytes(provider)).toBe(mb * 1024 * 1024);
  });
});

describe('resolveImage', () => {
  const openai = { baseDir: dir, provider: 'openai' } as const;
  const anthropic = { baseDir: dir, provider: 'anthropic' } as const;
  it.each([
    ['an https URL passes through', 'https://example.com/cat.jpg', openai, { type: 'image', url: 'https://example.com/cat.jpg' }],
    ['a relative path is read and sniffed', 'dot.png', openai, { type: 'image', mediaType: 'image/png', data: PNG_1X1.toString('base64') }],
    ['an absolute path', join(dir, 'dot.png'), anthropic, { type: 'image', mediaType: 'image/png', data: PNG_1X1.toString('base64') }],
    ['a data: URL is sniffed, not trusted', `data:image/gif;base64,${JPEG.toString('base64')}`, openai, { type: 'image', mediaType: 'image/jpeg', data: JPEG.toString('base64') }],
  ])('%s', async (_name, cell, context, expected) => {
    expect(await resolveImage(cell, context)).toEqual(expected);
  });

  it.each([
    ['a missing file', 'gone.png', openai, /^the image file .*gone\.png does not exist$/],
    ['a file that is not an image', 'notes.txt', openai, /^the image file .*notes\.txt is not a PNG, JPEG, GIF or WebP image$/],
    ['a folder', '.', openai, /is not a file$/],
    ['over Anthropic\'s 5 MB', 'huge.png', anthropic, /huge\.png is 6\.0 MB, over the Anthropic limit of 5\.0 MB per image$/],
    ['a data: URL not in base64', 'data:image/png,abc', openai, /^the data: URL data:image\/png,abc is not base64/],
    ['a data: URL of text', `data:text/plain;base64,${Buffer.from('hi').toString('base64')}`, openai, /^the data: URL is not a PNG, JPEG, GIF or WebP image$/],
    ['an empty cell', null, openai, /^the image cell is empty$/],
  ])('%s is a row error', async (_name, cell, context, message) => {
    expect(await resolveImage(cell, context)).toMatch(message);
  });

  it('takes 6 MB under OpenAI\'s 20 MB limit', async () => {
    expect(await resolveImage('huge.png', openai)).toMatchObject({ mediaType: 'image/png' });
  });
});

describe('resolveRow', () => {
  it('keeps the text around images and keys each image by a hash of its bytes', async () => {
    const row = await resolveRow(['Describe ', { image: 'dot.png' }, ' and ', { image: 'https://x.test/a.png' }], { baseDir: dir, provider: 'openai' });
    expect('parts' in row && row.parts.map((p) => (typeof p === 'string' ? p : 'url' in p ? 'url' : p.mediaType))).toEqual(['Describe ', 'image/png', ' and ', 'url']);
    expect(row.key).toMatch(/^Describe \[image [0-9a-f]{64}\] and \[image https:\/\/x\.test\/a\.png\]$/);
  });

  it('fails the row on its first bad image', async () => {
    expect(await resolveRow(['Describe ', { image: 'gone.png' }], { baseDir: dir, provider: 'openai' })).toMatchObject({ error: expect.stringMatching(/gone\.png does not exist/) });
  });
});

describe('imageColumns', () => {
  const columns = [
    { name: 'id', type: 'BIGINT' }, { name: 'caption', type: 'VARCHAR' }, { name: 'scan', type: 'BLOB' },
    { name: 'Photo', type: 'VARCHAR' }, { name: 'thumb_url', type: 'VARCHAR' }, { name: 'imgs', type: 'VARCHAR' }, { name: 'imaging_notes', type: 'VARCHAR' },
  ];
  it.each([
    ['BLOB and image-like names by default', ['id', 'caption', 'scan', 'Photo', 'thumb_url', 'imgs', 'imaging_notes'], [], ['scan', 'Photo', 'thumb_url', 'imgs']],
    ['only placeholders count', ['caption', 'thumb_url'], [], ['thumb_url']],
    ['--image-column replaces the default', ['caption', 'thumb_url'], ['caption'], ['caption']],
  ])('%s', (_name, used, named, expected) => {
    expect(imageColumns(used, columns, named, 't.csv')).toEqual(expected);
  });

  it.each([
    ['no image placeholder', ['id', 'caption'], [], /^--input-type image, but no placeholder in the prompt is an image column \(placeholders: id, caption\)\.$/],
    ['a named column not in the table', ['id'], ['pic'], /^--image-column "pic" is not in t\.csv \(columns: id, caption/],
    ['a named column not in the prompt', ['id'], ['caption'], /^--image-column "caption" is not a \{placeholder\} in the prompt\.$/],
  ])('%s: one line', (_name, used, named, message) => {
    expect(() => imageColumns(used, columns, named, 't.csv')).toThrow(message);
  });
});
