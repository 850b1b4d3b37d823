import { closeSync, createReadStream, openSync, readSync, writeSync } from 'node:fs';
import type { Answer } from './answers.js';

const NEWLINE = 0x0a;
const FLUSH_BYTES = 1 << 20;

/**
 * Puts a job's answer log (lines in completion order, possibly several per row) into row order,
 * one line per selected row, without holding it in memory: a streaming pass notes where each
 * row's winning line is (an answer beats an error; of two of a kind the later wins; a torn or
 * foreign line is skipped), then the winners are copied out in row order, with a `notRun` error
 * line for each selected row the log has nothing for. Memory: 13 bytes per source row. DuckDB
 * then only has to scan the result in step with the source (no join, no sort).
 */
export async function writeAnswersByRow(options: {
  logPath: string;
  outPath: string;
  /** Rows in the source. */
  rowCount: number;
  /** The rows to write, ascending. */
  rows: Iterable<number>;
  notRun: string;
}): Promise<void> {
  const { rowCount } = options;
  const offsets = new Float64Array(rowCount);
  const lengths = new Uint32Array(rowCount);
  /** 0: nothing, 1: an error, 2: an answer. */
  const kinds = new Uint8Array(rowCount);

  await forEachLine(options.logPath, (line, offset) => {
    const entry = entryOf(line, rowCount);
    if (!entry) return;
    const { row } = entry;
    const kind = entry.error === null || entry.error === undefined ? 2 : 1;
    if (kind < kinds[row]) return;
    kinds[row] = kind;
    offsets[row] = offset;
    lengths[row] = line.length;
  });

  const log = openSync(options.logPath, 'r');
  const out = openSync(options.outPath, 'w');
  try {
    let pending: Buffer[] = [];
    let size = 0;
    const push = (buffer: Buffer) => {
      pending.push(buffer);
      size += buffer.length;
      if (size >= FLUSH_BYTES) { writeSync(out, Buffer.concat(pending)); pending = []; size = 0; }
    };
    for (const row of options.rows) {
      if (kinds[row]) {
        const line = Buffer.allocUnsafe(lengths[row] + 1);
        readSync(log, line, 0, lengths[row], offsets[row]);
        line[lengths[row]] = NEWLINE;
        push(line);
      } else {
        push(Buffer.from(`${JSON.stringify({ row, answer: null, error: options.notRun, prompt_tokens: null, completion_tokens: null })}\n`));
      }
    }
    if (size) writeSync(out, Buffer.concat(pending));
  } finally {
    closeSync(log);
    closeSync(out);
  }
}

/** A log line's entry, or undefined for a torn line or one naming no row of the table. */
export function entryOf(line: Buffer, rowCount: number): (Partial<Answer> & { row: number }) | undefined {
  let entry: Partial<Answer>;
  try {
    entry = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  const row = entry?.row;
  if (typeof row !== 'number' || !Number.isInteger(row) || row < 0 || row >= rowCount) return undefined;
  return { ...entry, row };
}

/** Calls `visit` with each complete line (without its newline) and its byte offset. */
export async function forEachLine(path: string, visit: (line: Buffer, offset: number) => void): Promise<void> {
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: FLUSH_BYTES }) as AsyncIterable<Buffer>) {
    const buffer = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let end = buffer.indexOf(NEWLINE, start); end !== -1; end = buffer.indexOf(NEWLINE, start)) {
      if (end > start) visit(buffer.subarray(start, end), carryOffset + start);
      start = end + 1;
    }
    carry = buffer.subarray(start);
    carryOffset += start;
  }
  // A last line without a newline was torn by a crash mid-write: it is not an answer.
}
