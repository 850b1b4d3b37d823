// The stub's OpenAI Images API (`POST /v1/images/generations`): a tiny deterministic PNG per
// prompt, so tests can check each file evalctl wrote is the one generated for its row's prompt.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { tokens } from './wire.js';

type Obj = Record<string, any>;

/** Output tokens the stub bills per image (gpt-image-1's low-quality 1024x1024). */
export const STUB_IMAGE_TOKENS = 272;

/** POST /v1/images/generations body -> model, prompt and format, or an error message (400). */
export function parseImageRequest(body: Obj | undefined): { model: string; prompt: string; base64: boolean } | string {
  if (!body || typeof body !== 'object') return 'request body must be a JSON object';
  if (typeof body.model !== 'string' || body.model === '') return 'model: field required';
  if (typeof body.prompt !== 'string' || body.prompt === '') return 'prompt: field required';
  if (body.n !== undefined && body.n !== 1) return 'n: the stub generates one image a request';
  // The GPT image models always answer in base64; DALL-E only when asked (else a URL).
  const base64 = /^gpt-image-/.test(body.model) || body.response_format === 'b64_json';
  return { model: body.model, prompt: body.prompt, base64 };
}

/**
 * A valid 4x2 RGB PNG whose 24 bytes of pixels are the first 24 of SHA-256(prompt): different
 * prompts, different files; the same prompt, the same bytes.
 */
export function stubImage(prompt: string): Buffer {
  const hash = createHash('sha256').update(prompt).digest();
  const header = Buffer.alloc(13);
  header.writeUInt32BE(4, 0);
  header.writeUInt32BE(2, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const rows = Buffer.concat([Buffer.from([0]), hash.subarray(0, 12), Buffer.from([0]), hash.subarray(12, 24)]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The Images API's answer: the image in base64 (or a URL, as DALL-E answers by default) and, for GPT image models, usage. */
export function imagesBody(model: string, prompt: string, base64: boolean): string {
  const data = base64 ? { b64_json: stubImage(prompt).toString('base64') } : { url: `https://images.stub.invalid/${createHash('sha256').update(prompt).digest('hex')}.png` };
  const usage = /^gpt-image-/.test(model)
    ? { input_tokens: tokens(prompt), output_tokens: STUB_IMAGE_TOKENS, total_tokens: tokens(prompt) + STUB_IMAGE_TOKENS, input_tokens_details: { text_tokens: tokens(prompt), image_tokens: 0 } }
    : undefined;
  return JSON.stringify({ created: Math.floor(Date.now() / 1000), data: [data], ...(usage ? { usage } : {}) });
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
