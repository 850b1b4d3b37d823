import type { Column } from '../dataset.js';
import { InputError, UsageError } from '../errors.js';

/** Column names that hold images by default: ending in image, img, photo or url (any case, plural too). */
const IMAGE_NAME = /(image|img|photo|url)s?$/i;

/**
 * The columns whose placeholders are sent as images with `--input-type image`: those named
 * with `--image-column`, else every placeholder column of DuckDB type BLOB or whose name ends
 * in image/img/photo/url. Throws when none is.
 *
 * @example imageColumns(['photo_url', 'caption'], columns, [], 'data.csv') // ['photo_url']
 */
export function imageColumns(used: readonly string[], columns: readonly Column[], named: readonly string[], label: string): string[] {
  const names = columns.map((c) => c.name);
  for (const name of named) {
    if (!names.includes(name)) throw new InputError(`--image-column "${name}" is not in ${label} (columns: ${names.join(', ')}).`, 'Name a column that holds image URLs, paths or bytes.');
    if (!used.includes(name)) throw new UsageError(`--image-column "${name}" is not a {placeholder} in the prompt.`, `Put {${name}} in the prompt where the image goes.`);
  }
  const chosen = named.length > 0
    ? [...named]
    : used.filter((name) => IMAGE_NAME.test(name) || columns.find((c) => c.name === name)?.type === 'BLOB');
  if (chosen.length === 0) {
    throw new UsageError(
      `--input-type image, but no placeholder in the prompt is an image column (placeholders: ${used.join(', ') || 'none'}).`,
      'Name it with --image-column <name>, or use a BLOB column or one whose name ends in image, img, photo or url.',
    );
  }
  return chosen;
}
