import type { VideoMediaType } from '../providers/types.js';

/** ISO base media brands that are not video: still images (HEIF, AVIF) and audio (M4A, M4B). */
const NOT_VIDEO_BRANDS = new Set(['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis', 'M4A ', 'M4B ', 'M4P ']);

/**
 * The video type of `bytes` from its magic bytes, or undefined for anything else: MP4 and the
 * other ISO base media files (`ftyp` box; brand `qt  ` is QuickTime), QuickTime files that start
 * with a `moov` or `wide` atom, WebM and Matroska (the EBML header, told apart by its DocType),
 * AVI (`RIFF....AVI `). The file name and a data: URL's declared type are never trusted.
 *
 * @example sniffVideo(readFileSync('clip.mp4')) // 'video/mp4'
 */
export function sniffVideo(bytes: Uint8Array): VideoMediaType | undefined {
  const ascii = (start: number, end: number) => Buffer.from(bytes.subarray(start, end)).toString('latin1');
  const box = ascii(4, 8);
  if (box === 'ftyp') {
    const brand = ascii(8, 12);
    if (NOT_VIDEO_BRANDS.has(brand)) return undefined;
    return brand === 'qt  ' ? 'video/quicktime' : 'video/mp4';
  }
  if (box === 'moov' || box === 'wide') return 'video/quicktime';
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    // The DocType element sits in the first few dozen bytes of the EBML header.
    const header = ascii(4, 64);
    if (header.includes('webm')) return 'video/webm';
    if (header.includes('matroska')) return 'video/x-matroska';
    return undefined;
  }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') return 'video/x-msvideo';
  return undefined;
}

/**
 * The largest video evalctl sends, in bytes: 100 MB per video. OpenAI-compatible servers set
 * their own request limits (vLLM has none by default); past this a base64 request body is over
 * 130 MB, which most proxies and servers refuse.
 */
export const VIDEO_LIMIT_BYTES = 100 * 1024 * 1024;

/**
 * The dry run's fixed estimate of one video's input tokens (videos are not opened): 4,096,
 * what a vision-language model such as Qwen2.5-VL spends on a short clip at its default frame
 * sampling. Real counts depend on the server's frame rate and resolution settings.
 */
export const VIDEO_TOKENS = 4096;
