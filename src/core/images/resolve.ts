import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ImagePart, PromptPart, ProviderId, VideoPart } from '../providers/types.js';
import { IMAGE, type MediaKind } from './kinds.js';
import type { RowParts } from './parts.js';

/** A row's prompt ready to send: text and media, and `key`, its text with each image or video as a hash (cache key, estimates); or why it cannot be sent. */
export type ResolvedPrompt =
  | { readonly key: string; readonly parts: readonly PromptPart[] }
  | { readonly key: string; readonly error: string };

/** Where relative paths are read from, whose size limit applies, and what kind of media the cells hold (default images). */
export interface ImageContext {
  readonly baseDir: string;
  readonly provider: ProviderId;
  readonly kind?: MediaKind;
}

/**
 * Turns a row's media references into image (or video) parts: an http(s) URL is passed on as a
 * URL; a base64 data: URL (also how BLOB cells arrive) or a local file (relative to `baseDir`)
 * is read, sniffed and size-checked. The first reference that fails makes the row an error, unsent.
 */
export async function resolveRow(row: RowParts, context: ImageContext): Promise<ResolvedPrompt> {
  const parts: PromptPart[] = [];
  let key = '';
  for (const part of row) {
    if (typeof part === 'string') { parts.push(part); key += part; continue; }
    const media = await resolveMedia(part.image, context);
    if (typeof media === 'string') return { key, error: media };
    parts.push(media);
    key += 'url' in media ? `[${media.type} ${media.url}]` : `[${media.type} ${createHash('sha256').update(media.data).digest('hex')}]`;
  }
  return { key, parts };
}

/** One reference as an image part, or the row error saying why not (short: it lands in the output). */
export async function resolveImage(reference: string | null, context: ImageContext): Promise<ImagePart | string> {
  return resolveMedia(reference, { ...context, kind: IMAGE }) as Promise<ImagePart | string>;
}

/** One reference as a part of the context's kind (image by default), or the row error saying why not. */
export async function resolveMedia(reference: string | null, context: ImageContext): Promise<ImagePart | VideoPart | string> {
  const kind = context.kind ?? IMAGE;
  const type = kind.name;
  const limit = kind.limitBytes(context.provider);
  const value = reference?.trim() ?? '';
  if (value === '') return `the ${type} cell is empty`;
  if (/^https?:\/\//i.test(value)) return { type, url: value } as ImagePart | VideoPart;
  let bytes: Buffer;
  let what: string;
  if (/^data:/i.test(value)) {
    const match = /^data:[^,;]*(?:;[^,;]*)*?;base64,(.*)$/is.exec(value);
    if (!match) return `the data: URL ${shorten(value)} is not base64 (only data:<type>;base64,<data> is read)`;
    bytes = Buffer.from(match[1], 'base64');
    what = 'the data: URL';
  } else {
    const path = resolve(context.baseDir, value);
    what = `the ${type} file ${path}`;
    try {
      const info = await stat(path);
      if (!info.isFile()) return `${what} is not a file`;
      if (info.size > limit) return tooLarge(what, info.size, kind, context.provider);
      bytes = await readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? `${what} does not exist` : `${what} cannot be read (${code ?? (error as Error).message})`;
    }
  }
  if (bytes.length > limit) return tooLarge(what, bytes.length, kind, context.provider);
  const mediaType = kind.sniff(bytes);
  if (!mediaType) return `${what} is not ${kind.expected}`;
  return { type, mediaType, data: bytes.toString('base64') } as ImagePart | VideoPart;
}

function tooLarge(what: string, size: number, kind: MediaKind, provider: ProviderId): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${what} is ${mb(size)}, over ${kind.limitOwner(provider)} of ${mb(kind.limitBytes(provider))} per ${kind.name}`;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
