import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ImagePart, PromptPart, ProviderId } from '../providers/types.js';
import { imageLimitBytes, sniffImage } from './sniff.js';
import type { RowParts } from './parts.js';

/** A row's prompt ready to send: text and images, and `key`, its text with each image as a hash (cache key, estimates); or why it cannot be sent. */
export type ResolvedPrompt =
  | { readonly key: string; readonly parts: readonly PromptPart[] }
  | { readonly key: string; readonly error: string };

/** Where relative paths are read from, and whose size limit applies. */
export interface ImageContext {
  readonly baseDir: string;
  readonly provider: ProviderId;
}

/**
 * Turns a row's image references into image parts: an http(s) URL is passed on as a URL; a
 * base64 data: URL (also how BLOB cells arrive) or a local file (relative to `baseDir`) is read,
 * sniffed and size-checked. The first reference that fails makes the row an error, unsent.
 */
export async function resolveRow(row: RowParts, context: ImageContext): Promise<ResolvedPrompt> {
  const parts: PromptPart[] = [];
  let key = '';
  for (const part of row) {
    if (typeof part === 'string') { parts.push(part); key += part; continue; }
    const image = await resolveImage(part.image, context);
    if (typeof image === 'string') return { key, error: image };
    parts.push(image);
    key += 'url' in image ? `[image ${image.url}]` : `[image ${createHash('sha256').update(image.data).digest('hex')}]`;
  }
  return { key, parts };
}

/** One reference as an image part, or the row error saying why not (short: it lands in the output). */
export async function resolveImage(reference: string | null, context: ImageContext): Promise<ImagePart | string> {
  const value = reference?.trim() ?? '';
  if (value === '') return 'the image cell is empty';
  if (/^https?:\/\//i.test(value)) return { type: 'image', url: value };
  let bytes: Buffer;
  let what: string;
  if (/^data:/i.test(value)) {
    const match = /^data:[^,;]*(?:;[^,;]*)*?;base64,(.*)$/is.exec(value);
    if (!match) return `the data: URL ${shorten(value)} is not base64 (only data:<type>;base64,<data> is read)`;
    bytes = Buffer.from(match[1], 'base64');
    what = 'the data: URL';
  } else {
    const path = resolve(context.baseDir, value);
    what = `the image file ${path}`;
    try {
      const info = await stat(path);
      if (!info.isFile()) return `${what} is not a file`;
      if (info.size > imageLimitBytes(context.provider)) return tooLarge(what, info.size, context.provider);
      bytes = await readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? `${what} does not exist` : `${what} cannot be read (${code ?? (error as Error).message})`;
    }
  }
  if (bytes.length > imageLimitBytes(context.provider)) return tooLarge(what, bytes.length, context.provider);
  const mediaType = sniffImage(bytes);
  if (!mediaType) return `${what} is not a PNG, JPEG, GIF or WebP image`;
  return { type: 'image', mediaType, data: bytes.toString('base64') };
}

function tooLarge(what: string, size: number, provider: ProviderId): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${what} is ${mb(size)}, over the ${provider === 'anthropic' ? 'Anthropic' : 'OpenAI'} limit of ${mb(imageLimitBytes(provider))} per image`;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
