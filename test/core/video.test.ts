import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffVideo, VIDEO_LIMIT_BYTES } from '../../src/core/images/video.js';
import { resolveMedia, resolveRow } from '../../src/core/images/resolve.js';
import { VIDEO } from '../../src/core/images/kinds.js';
import { checkTakesVideo } from '../../src/core/images/video-providers.js';
import { openaiContent } from '../../src/core/images/content.js';
import { imageColumns } from '../../src/core/images/columns.js';

// The video half of `--input-type video`: what a cell becomes before it is sent, and who may get it.

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const box = (type: string, brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), latin1(type + brand), Buffer.alloc(12)]);
export const MP4 = box('ftyp', 'isom');
const MOV = box('ftyp', 'qt  ');
const EBML = (docType: string) => Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x80 | docType.length]), latin1(docType), Buffer.alloc(8)]);
const AVI = latin1('RIFF\x10\x00\x00\x00AVI LIST');

const dir = mkdtempSync(join(tmpdir(), 'evalctl-video-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'clip.mp4'), MP4);
writeFileSync(join(dir, 'notes.txt'), 'not a video');
writeFileSync(join(dir, 'huge.mp4'), MP4);
truncateSync(join(dir, 'huge.mp4'), VIDEO_LIMIT_BYTES + 1);

describe('sniffVideo', () => {
  it.each([
    ['MP4 (isom)', MP4, 'video/mp4'],
    ['MP4 (mp42)', box('ftyp', 'mp42'), 'video/mp4'],
    ['QuickTime (ftyp qt)', MOV, 'video/quicktime'],
    ['QuickTime (moov first)', box('moov', '\0\0\0\0'), 'video/quicktime'],
    ['WebM', EBML('webm'), 'video/webm'],
    ['Matroska', EBML('matroska'), 'video/x-matroska'],
    ['AVI', AVI, 'video/x-msvideo'],
    ['HEIC still image', box('ftyp', 'heic'), undefined],
    ['AVIF still image', box('ftyp', 'avif'), undefined],
    ['M4A audio', box('ftyp', 'M4A '), undefined],
    ['RIFF WAVE audio', latin1('RIFF\x10\x00\x00\x00WAVEfmt '), undefined],
    ['EBML of another DocType', EBML('other'), undefined],
    ['PNG', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), undefined],
    ['text', latin1('hello world, not a video'), undefined],
    ['empty', Buffer.alloc(0), undefined],
  ])('%s', (_name, input, expected) => {
    expect(sniffVideo(input)).toBe(expected);
  });
});

describe('resolveMedia with videos', () => {
  const context = { baseDir: dir, provider: 'openai', kind: VIDEO } as const;
  it.each([
    ['an https URL passes through', 'https://videos.example/a.mp4', { type: 'video', url: 'https://videos.example/a.mp4' }],
    ['a relative path is read and sniffed', 'clip.mp4', { type: 'video', mediaType: 'video/mp4', data: MP4.toString('base64') }],
    ['a data: URL (a BLOB cell) is sniffed, not trusted', `data:application/octet-stream;base64,${EBML('webm').toString('base64')}`, { type: 'video', mediaType: 'video/webm', data: EBML('webm').toString('base64') }],
  ])('%s', async (_name, cell, expected) => {
    expect(await resolveMedia(cell, context)).toEqual(expected);
  });

  it.each([
    ['a missing file', 'gone.mp4', /^the video file .*gone\.mp4 does not exist$/],
    ['a file that is not a video', 'notes.txt', /^the video file .*notes\.txt is not an MP4, WebM, Matroska, QuickTime or AVI video$/],
    ['a file over 100 MB', 'huge.mp4', /huge\.mp4 is 100\.0 MB, over evalctl's limit of 100\.0 MB per video$/],
    ['an image', `data:image/png;base64,${Buffer.from('89504e470d0a1a0a', 'hex').toString('base64')}`, /^the data: URL is not an MP4, WebM/],
    ['an empty cell', null, /^the video cell is empty$/],
  ])('%s is a row error', async (_name, cell, message) => {
    expect(await resolveMedia(cell, context)).toMatch(message);
  });

  it('keys a row by the hash of each video, and sends it as an OpenAI video_url part with its sniffed type', async () => {
    const row = await resolveRow(['What happens in ', { image: 'clip.mp4' }, '?'], context);
    expect(row.key).toMatch(/^What happens in \[video [0-9a-f]{64}\]\?$/);
    expect('parts' in row && openaiContent(row.parts)).toEqual([
      { type: 'text', text: 'What happens in ' },
      { type: 'video_url', video_url: { url: `data:video/mp4;base64,${MP4.toString('base64')}` } },
      { type: 'text', text: '?' },
    ]);
  });
});

describe('checkTakesVideo', () => {
  it.each([
    ['an OpenAI-compatible server', { provider: 'openai', model: 'qwen', base_url: 'http://127.0.0.1:8000/v1' }, undefined],
    ['the offline echo model', { provider: 'echo', model: 'echo', base_url: null }, undefined],
    ['OpenAI (default endpoint)', { provider: 'openai', model: 'gpt-4o', base_url: null }, /^--input-type video: OpenAI's API does not take video \(gpt-4o\)\.$/],
    ['OpenAI (api.openai.com named)', { provider: 'openai', model: 'gpt-4o', base_url: 'https://api.openai.com/v1' }, /OpenAI's API does not take video/],
    ['Anthropic', { provider: 'anthropic', model: 'claude-haiku-4-5', base_url: null }, /^--input-type video: claude-haiku-4-5 is an Anthropic model, and Anthropic's API does not take video\.$/],
  ] as const)('%s', (_name, variant, message) => {
    if (message) expect(() => checkTakesVideo(variant)).toThrow(message);
    else expect(() => checkTakesVideo(variant)).not.toThrow();
  });
});

describe('imageColumns for videos', () => {
  const columns = [{ name: 'clip', type: 'VARCHAR' }, { name: 'raw', type: 'BLOB' }, { name: 'photo', type: 'VARCHAR' }, { name: 'caption', type: 'VARCHAR' }];
  it.each([
    ['names ending in clip and BLOB columns, not photo', ['clip', 'raw', 'photo', 'caption'], [], ['clip', 'raw']],
    ['--video-column wins', ['clip', 'caption'], ['caption'], ['caption']],
  ])('%s', (_name, used, named, expected) => {
    expect(imageColumns(used, columns, named, 'data.csv', 'video')).toEqual(expected);
  });

  it('none: one line naming --video-column', () => {
    expect(() => imageColumns(['caption'], columns, [], 'data.csv', 'video')).toThrow(/^--input-type video, but no placeholder in the prompt is a video column \(placeholders: caption\)\.$/);
  });
});
