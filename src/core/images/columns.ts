import type { Column } from '../dataset.js';
import { InputError, UsageError } from '../errors.js';

/** Column names that hold media by default, per kind (any case, plural too). */
const DEFAULT_NAME = {
  image: { pattern: /(image|img|photo|url)s?$/i, words: 'image, img, photo or url' },
  video: { pattern: /(video|vid|clip|movie|url)s?$/i, words: 'video, vid, clip, movie or url' },
} as const;

/**
 * The columns whose placeholders are sent as images with `--input-type image` (or videos with
 * `--input-type video`): those named with `--image-column` / `--video-column`, else every
 * placeholder column of DuckDB type BLOB or whose name ends in image/img/photo/url (for video:
 * video/vid/clip/movie/url). Throws when none is.
 *
 * @example imageColumns(['photo_url', 'caption'], columns, [], 'data.csv') // ['photo_url']
 */
export function imageColumns(used: readonly string[], columns: readonly Column[], named: readonly string[], label: string, kind: 'image' | 'video' = 'image'): string[] {
  const names = columns.map((c) => c.name);
  const flag = `--${kind}-column`;
  for (const name of named) {
    if (!names.includes(name)) throw new InputError(`${flag} "${name}" is not in ${label} (columns: ${names.join(', ')}).`, `Name a column that holds ${kind} URLs, paths or bytes.`);
    if (!used.includes(name)) throw new UsageError(`${flag} "${name}" is not a {placeholder} in the prompt.`, `Put {${name}} in the prompt where the ${kind} goes.`);
  }
  const { pattern, words } = DEFAULT_NAME[kind];
  const chosen = named.length > 0
    ? [...named]
    : used.filter((name) => pattern.test(name) || columns.find((c) => c.name === name)?.type === 'BLOB');
  if (chosen.length === 0) {
    throw new UsageError(
      `--input-type ${kind}, but no placeholder in the prompt is ${kind === 'image' ? 'an image' : 'a video'} column (placeholders: ${used.join(', ') || 'none'}).`,
      `Name it with ${flag} <name>, or use a BLOB column or one whose name ends in ${words}.`,
    );
  }
  return chosen;
}
