import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { formatFromPath } from '../dataset.js';
import { InputError } from '../errors.js';

/** True when a path or key has wildcards: `*` (within a folder), `**` (across folders), `?`. */
export function isPattern(text: string): boolean {
  return /[*?]/.test(text);
}

/** The fixed part of a pattern before its first wildcard: a folder to walk, an S3 prefix to list. */
export function fixedPrefix(pattern: string): string {
  const first = pattern.search(/[*?]/);
  return first < 0 ? pattern : pattern.slice(0, first);
}

/**
 * A pattern as a regular expression over `/`-separated paths: `*` and `?` stay within one
 * folder, `**` crosses folders (`data/**` matches every file under data/).
 */
export function patternRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      i += 1;
      if (pattern[i + 1] === '/') { i += 1; source += '(?:.*/)?'; } else source += '.*';
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * The files a local pattern or folder names, sorted by path (code-point order, the same on
 * every machine), so they are read as one table in a stable order. A folder gives every table
 * file under it (by extension); hidden files and folders are skipped.
 */
export function expandLocal(pattern: string, label: string): string[] {
  const isFolder = !isPattern(pattern) && statSync(pattern, { throwIfNoEntry: false })?.isDirectory();
  const root = isFolder ? pattern : fixedPrefix(pattern).replace(/[^/\\]*$/, '') || '.';
  const regexp = isFolder ? undefined : patternRegExp(pattern.split(sep).join('/'));
  const found: string[] = [];
  const walk = (folder: string) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && (regexp ? regexp.test(path.split(sep).join('/')) : isTableFile(path))) found.push(path);
    }
  };
  walk(root);
  if (found.length === 0) {
    throw new InputError(
      isFolder ? `The directory ${label} has no .parquet, .csv, .tsv, .jsonl, .ndjson or .json files.` : `No files match ${label}.`,
      'Check the pattern (relative to the current directory), and quote it so the shell leaves it to evalctl: "data/*.parquet".',
    );
  }
  return found.sort(byCodePoint);
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isTableFile(path: string): boolean {
  try {
    formatFromPath(path);
    return true;
  } catch {
    return false;
  }
}
