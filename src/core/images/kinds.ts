import type { ProviderId } from '../providers/types.js';
import { imageLimitBytes, sniffImage } from './sniff.js';
import { sniffVideo, VIDEO_LIMIT_BYTES } from './video.js';

/** What tells one kind of media from another when a cell is read: its name, sniffing, and size limit. */
export interface MediaKind {
  readonly name: 'image' | 'video';
  /** The media type of the bytes, or undefined when they are not of this kind. */
  sniff(bytes: Uint8Array): string | undefined;
  /** The types `sniff` knows, for the row error: "a PNG, JPEG, GIF or WebP image". */
  readonly expected: string;
  limitBytes(provider: ProviderId): number;
  /** Whose limit `limitBytes` is, for the row error: "the OpenAI limit". */
  limitOwner(provider: ProviderId): string;
}

export const IMAGE: MediaKind = {
  name: 'image',
  sniff: sniffImage,
  expected: 'a PNG, JPEG, GIF or WebP image',
  limitBytes: imageLimitBytes,
  limitOwner: (provider) => `the ${provider === 'anthropic' ? 'Anthropic' : 'OpenAI'} limit`,
};

export const VIDEO: MediaKind = {
  name: 'video',
  sniff: sniffVideo,
  expected: 'an MP4, WebM, Matroska, QuickTime or AVI video',
  limitBytes: () => VIDEO_LIMIT_BYTES,
  limitOwner: () => "evalctl's limit",
};

/** A job's media columns and their kind (`input_type` image or video); no columns for text. */
export function mediaOf(spec: { input_type?: 'text' | 'image' | 'video'; image_columns?: string[]; video_columns?: string[] }): { columns: Set<string>; kind: MediaKind } {
  if (spec.input_type === 'video') return { columns: new Set(spec.video_columns ?? []), kind: VIDEO };
  return { columns: new Set(spec.input_type === 'image' ? spec.image_columns ?? [] : []), kind: IMAGE };
}
