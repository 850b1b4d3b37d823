import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { InputFormat } from './dataset.js';
import { InputError } from './errors.js';

/**
 * Catches the commonest wrong files from their first and last bytes, before DuckDB gives a
 * cryptic error: text named .parquet, a cut-off parquet file, parquet or binary data named as text.
 */
export function checkContent(path: string, format: InputFormat): void {
  if (/\.(gz|zst)$/i.test(path)) return;
  const name = basename(path);
  const { head, tail } = ends(path, 4096);
  const isParquet = head.subarray(0, 4).toString('latin1') === 'PAR1';
  if (format === 'parquet') {
    if (!isParquet) {
      const text = looksLikeText(head) ? guessTextFormat(head) : undefined;
      throw new InputError(
        `${name} is not a parquet file${text ? ` (it looks like ${text.toUpperCase()} text)` : ''}.`,
        text ? `Rename it to .${text}, or pass --input-format ${text}.` : 'Check it is the right file, or name its real format with --input-format.',
      );
    }
    if (tail.toString('latin1') !== 'PAR1') {
      throw new InputError(`${name} is an incomplete parquet file: its end is missing (truncated, or still being written).`, 'Copy or export the file again.');
    }
    return;
  }
  const kind = format.toUpperCase();
  if (isParquet) throw new InputError(`${name} is a parquet file, not ${kind}.`, 'Rename it to .parquet, or pass --input-format parquet.');
  if (head.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004') {
    throw new InputError(`${name} is a zip archive (an Excel workbook?), not ${kind} text.`, 'Export the sheet as CSV (UTF-8) or parquet, and give that file.');
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new InputError(`${name} is UTF-16 text; evalctl reads ${kind} as UTF-8.`, 'Save it again as UTF-8.');
  }
  if (head.includes(0)) {
    throw new InputError(`${name} holds binary data, not ${kind} text.`, 'Check it is the right file, or name its real format with --input-format.');
  }
}

/** The first `size` bytes and the last 4 bytes of a file. */
function ends(path: string, size: number): { head: Buffer; tail: Buffer } {
  const fd = openSync(path, 'r');
  try {
    const length = statSync(path).size;
    const head = Buffer.alloc(Math.min(size, length));
    readSync(fd, head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(4, length));
    readSync(fd, tail, 0, tail.length, length - tail.length);
    return { head, tail };
  } finally {
    closeSync(fd);
  }
}

function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  // A multi-byte character may be cut at the end of the sample; the rest must decode.
  return !head.subarray(0, Math.max(0, head.length - 4)).toString('utf8').includes('\ufffd');
}

function guessTextFormat(head: Buffer): 'csv' | 'tsv' | 'jsonl' | 'json' {
  const text = head.toString('utf8').trimStart();
  const firstLine = text.split('\n')[0];
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) return 'jsonl';
  return firstLine.includes('\t') && !firstLine.includes(',') ? 'tsv' : 'csv';
}

/**
 * An upper bound on the number of fields in the header line of a CSV or TSV file: one more than
 * its most frequent delimiter character (quoted delimiters count too; too many is harmless).
 * Reads at most the first 16 MiB.
 */
export function headerFieldCount(path: string): number {
  if (/\.(gz|zst)$/i.test(path)) return 0;
  const fd = openSync(path, 'r');
  const counts = new Map<number, number>();
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (let position = 0; position < 16 * 1024 * 1024;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      const end = chunk.indexOf(0x0a);
      for (const byte of end === -1 ? chunk : chunk.subarray(0, end)) {
        if (DELIMITERS.has(byte)) counts.set(byte, (counts.get(byte) ?? 0) + 1);
      }
      if (end !== -1) break;
      position += read;
    }
  } finally {
    closeSync(fd);
  }
  return Math.max(0, ...counts.values()) + 1;
}

/** `,` `;` tab `|`: the delimiters DuckDB's sniffer tries. */
const DELIMITERS = new Set([0x2c, 0x3b, 0x09, 0x7c]);
