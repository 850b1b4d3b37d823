import type { ImageMediaType, ProviderId } from '../providers/types.js';

/**
 * The image type of `bytes` from its magic bytes (PNG, JPEG, GIF, WebP), or undefined for
 * anything else. The file name and a data: URL's declared type are never trusted.
 *
 * @example sniffImage(readFileSync('cat.png')) // 'image/png'
 */
export function sniffImage(bytes: Uint8Array): ImageMediaType | undefined {
  const at = (offset: number, signature: number[]) => signature.every((b, i) => bytes[offset + i] === b);
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at(0, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  return undefined;
}

/** The largest image each provider takes, in bytes: OpenAI 20 MB, Anthropic 5 MB (per image). */
export function imageLimitBytes(provider: ProviderId): number {
  return provider === 'anthropic' ? 5 * 1024 * 1024 : 20 * 1024 * 1024;
}

/**
 * The dry run's fixed estimate of one image's input tokens (images are not opened to measure
 * them): OpenAI's high-detail 1024x1024 (85 + 170 x 4 tiles = 765), Anthropic's ~1092x1092
 * (width x height / 750 = 1,590).
 */
export function imageTokens(provider: ProviderId): number {
  return provider === 'anthropic' ? 1590 : 765;
}
