import { closeSync, createReadStream, openSync, readSync, writeSync } from 'node:fs';
import type { Answer } from './answers.js';

const NEWLINE = 0x0a;
const FLUSH_BYTES = 1 << 20;

/**
 * Puts a job's answer log (lines in completion order, possibly several per (row, variant)) into
 * row order without holding it in memory: a streaming pass notes where each pair's winning line
 * is (an answer beats an error; of two of a kind the later wins; a torn or foreign line is
 * skipped), then one line per selected row is copied out, `{"row": r, "a": [v0, v1, ...]}`, each
 * variant's winning log line as it is (no parse), or null where it has none (not run). Memory:
 * 13 bytes per (row, variant). DuckDB then only has to scan the result in step with the source
 * (no join, no sort).
 */
export async function writeAnswersByRow(options: {
  logPath: string;
  outPath: string;
  /** Rows in the source. */
  rowCount: number;
  variants: number;
  /** The rows to write, ascending. */
  rows: Iterable<number>;
}): Promise<void> {
  const { rowCount, variants } = options;
  const size = rowCount * variants;
  const offsets = new Float64Array(size);
  const lengths = new Uint32Array(size);
  /** 0: nothing, 1: an error, 2: an answer. */
  const kinds = new Uint8Array(size);

  await forEachLine(options.logPath, (line, offset) => {
    const entry = entryOf(line, rowCount, variants);
    if (!entry) return;
    const at = entry.row * variants + entry.variant;
    const kind = entry.status === 'failed' ? 1 : 2;
    if (kind < kinds[at]) return;
    kinds[at] = kind;
    offsets[at] = offset;
    lengths[at] = line.length;
  });

  const log = openSync(options.logPath, 'r');
  const out = openSync(options.outPath, 'w');
  try {
    let pending: Buffer[] = [];
    let pendingSize = 0;
    const push = (buffer: Buffer) => {
      pending.push(buffer);
      pendingSize += buffer.length;
      if (pendingSize >= FLUSH_BYTES) { writeSync(out, Buffer.concat(pending)); pending = []; pendingSize = 0; }
    };
    for (const row of options.rows) {
      push(Buffer.from(`{"row":${row},"a":[`));
      for (let v = 0; v < variants; v++) {
        const at = row * variants + v;
        if (v > 0) push(COMMA);
        if (!kinds[at]) { push(NULL); continue; }
        const line = Buffer.allocUnsafe(lengths[at]);
        readSync(log, line, 0, lengths[at], offsets[at]);
        push(line);
      }
      push(END);
    }
    if (pendingSize) writeSync(out, Buffer.concat(pending));
  } finally {
    closeSync(log);
    closeSync(out);
  }
}

const COMMA = Buffer.from(',');
const NULL = Buffer.from('null');
const END = Buffer.from(']}\n');

const STATUSES = new Set(['answered', 'cached', 'failed']);

/**
 * A log line as an `Answer`, or undefined for a torn line or one that is not what evalctl
 * writes (no row of the table, an unknown variant, a status or counts of the wrong type).
 * Lines of evalctl 0.1 (no variant, no status, a `cached` flag) are read as variant 0.
 */
export function entryOf(line: Buffer, rowCount: number, variants = 1): Answer | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  if (entry === null || typeof entry !== 'object') return undefined;
  const { row } = entry;
  const variant = entry.variant ?? 0;
  if (!isIndex(row, rowCount) || !isIndex(variant, variants)) return undefined;
  const error = typeof entry.error === 'string' ? entry.error : null;
  const status = entry.status === undefined
    ? (error !== null ? 'failed' : entry.cached === true ? 'cached' : 'answered')
    : entry.status;
  if (typeof status !== 'string' || !STATUSES.has(status)) return undefined;
  if (status !== 'failed' && typeof entry.answer !== 'string') return undefined;
  return {
    row,
    variant,
    status: status as Answer['status'],
    answer: typeof entry.answer === 'string' ? entry.answer : null,
    error,
    error_kind: typeof entry.error_kind === 'string' ? entry.error_kind as Answer['error_kind'] : null,
    attempts: count(entry.attempts),
    latency_ms: typeof entry.latency_ms === 'number' && Number.isFinite(entry.latency_ms) ? entry.latency_ms : null,
    prompt_tokens: count(entry.prompt_tokens),
    completion_tokens: count(entry.completion_tokens),
    cost: typeof entry.cost === 'number' && Number.isFinite(entry.cost) && entry.cost >= 0 ? entry.cost : 0,
  };
}

function isIndex(value: unknown, size: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < size;
}

/** A token count or attempt count from the log; anything else counts as 0, never NaN. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
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
