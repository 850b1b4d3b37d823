import { closeSync, createWriteStream, openSync, readSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { InputFormat } from '../dataset.js';
import { InputError, UsageError } from '../errors.js';

/**
 * Copies the table piped on `input` into `directory` once (DuckDB reading a pipe loses rows, and
 * resume needs the same bytes again), and names it `stdin.<format>`: `format` when given,
 * else sniffed from its first bytes.
 */
export async function spoolStdin(input: Readable & { isTTY?: boolean }, directory: string, format?: InputFormat): Promise<string> {
  if (input.isTTY) {
    throw new UsageError('The source - reads the table from stdin, but stdin is a terminal.', 'Pipe a file in: `cat data.csv | evalctl create - -p "..."`.');
  }
  const spool = join(directory, 'stdin');
  await pipeline(input, createWriteStream(spool));
  if (statSync(spool).size === 0) {
    throw new InputError('Nothing came in on stdin (0 bytes).', 'Pipe a table in: `cat data.csv | evalctl create - -p "..."`.');
  }
  const path = join(directory, `stdin.${format ?? sniffFormat(spool)}`);
  renameSync(spool, path);
  return path;
}

/**
 * The format of a table from its first bytes: parquet's magic number, a JSON object per line
 * or an array, else delimited text, TSV when the first line has more tabs than commas.
 */
export function sniffFormat(path: string): InputFormat {
  const head = Buffer.alloc(64 * 1024);
  const fd = openSync(path, 'r');
  let length: number;
  try {
    length = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const bytes = head.subarray(0, length);
  if (bytes.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const first = text.trimStart().charAt(0);
  if (first === '{') return 'jsonl';
  if (first === '[') return 'json';
  const line = text.split(/\r?\n/, 1)[0];
  const count = (c: string) => line.split(c).length - 1;
  return count('\t') > count(',') ? 'tsv' : 'csv';
}
