import { closeSync, createReadStream, existsSync, openSync, readSync, writeSync } from 'node:fs';
import type { Answer } from './answers.js';

const NEWLINE = 0x0a;
const FLUSH_BYTES = 1 << 20;

/**
 * Puts a job's answer log (lines in completion order, possibly several per (row, variant)) into
 * row order without holding it in memory: a streaming pass notes where each pair's winning line
 * is (an answer beats an error; of two of a kind the later wins; a torn or foreign line is
 * skipped), then one line per selected row is copied out, `{"row": r, "a": [v0, v1, ...]}`, each
 * variant's winning log line as it is (no parse), or null where it has none (not run); `extra`
 * logs (a judge's) add their own arrays to the same line. Memory: 13 bytes per (row, variant)
 * per log. DuckDB then only has to scan the result in step with the source
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
  /** More logs of the same line format (a judge's verdicts), each written under its own key beside `a`: `"j": [...]`. */
  extra?: readonly { key: string; logPath: string; lanes: number }[];
}): Promise<{ longestLine: number }> {
  const { rowCount } = options;
  const logs = [{ key: 'a', logPath: options.logPath, lanes: options.variants }, ...(options.extra ?? [])];
  const indexes = await Promise.all(logs.map((log) => indexLog(log.logPath, rowCount, log.lanes)));
  // An extra log not written yet (judging never started) reads as empty.
  const fds = logs.map((log, l) => (l > 0 && !existsSync(log.logPath) ? -1 : openSync(log.logPath, 'r')));
  const out = openSync(options.outPath, 'w');
  try {
    let pending: Buffer[] = [];
    let pendingSize = 0;
    /** Bytes already written out. */
    let flushed = 0;
    const push = (buffer: Buffer) => {
      pending.push(buffer);
      pendingSize += buffer.length;
      if (pendingSize >= FLUSH_BYTES) { writeSync(out, Buffer.concat(pending)); flushed += pendingSize; pending = []; pendingSize = 0; }
    };
    let longestLine = 0;
    for (const row of options.rows) {
      const lineStart = pendingSize + flushed;
      push(Buffer.from(`{"row":${row}`));
      logs.forEach((log, l) => {
        const { offsets, lengths, kinds } = indexes[l];
        push(Buffer.from(`,"${log.key}":[`));
        for (let v = 0; v < log.lanes; v++) {
          const at = row * log.lanes + v;
          if (v > 0) push(COMMA);
          if (!kinds[at]) { push(NULL); continue; }
          const line = Buffer.allocUnsafe(lengths[at]);
          readSync(fds[l], line, 0, lengths[at], offsets[at]);
          push(line);
        }
        push(CLOSE);
      });
      push(END);
      longestLine = Math.max(longestLine, pendingSize + flushed - lineStart);
    }
    if (pendingSize) writeSync(out, Buffer.concat(pending));
    return { longestLine };
  } finally {
    for (const fd of fds) if (fd !== -1) closeSync(fd);
    closeSync(out);
  }
}

/** Where each pair's winning line is in a log (an answer beats an error; of two of a kind the later wins). */
async function indexLog(path: string, rowCount: number, lanes: number): Promise<{ offsets: Float64Array; lengths: Uint32Array; kinds: Uint8Array }> {
  const size = rowCount * lanes;
  const offsets = new Float64Array(size);
  const lengths = new Uint32Array(size);
  /** 0: nothing, 1: an error, 2: an answer. */
  const kinds = new Uint8Array(size);
  if (!existsSync(path)) return { offsets, lengths, kinds };
  await forEachLine(path, (line, offset) => {
    const entry = entryOf(line, rowCount, lanes);
    if (!entry) return;
    const at = entry.row * lanes + entry.variant;
    const kind = entry.status === 'failed' ? 1 : 2;
    if (kind < kinds[at]) return;
    kinds[at] = kind;
    offsets[at] = offset;
    lengths[at] = line.length;
  });
  return { offsets, lengths, kinds };
}

const COMMA = Buffer.from(',');
const NULL = Buffer.from('null');
const CLOSE = Buffer.from(']');
const END = Buffer.from('}\n');

const STATUSES = new Set(['answered', 'cached', 'failed']);

/**
 * A log line as an `Answer`, or undefined for a torn line or one that is not what evalctl
 * writes: no row of the table, an unknown variant, or any field of the wrong type (a count
 * that is a string, a negative cost). Such a line is skipped whole, never half-read: its bytes
 * go to DuckDB as they are, so every field DuckDB reads must be of its type.
 * Lines of evalctl 0.1 (no variant, no status, a `cached` flag) are read as variant 0.
 */
export function entryOf(line: Buffer, rowCount: number, variants = 1): Answer | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const { row } = entry;
  const variant = entry.variant ?? 0;
  if (!isIndex(row, rowCount) || !isIndex(variant, variants)) return undefined;
  if (!optional(entry.answer, 'string') || !optional(entry.error, 'string') || !optional(entry.error_kind, 'string') || !optional(entry.cached, 'boolean')) return undefined;
  for (const field of ['prompt_tokens', 'completion_tokens', 'attempts'] as const) if (!optional(entry[field], 'count')) return undefined;
  if (!optional(entry.cost, 'amount') || !optional(entry.latency_ms, 'amount')) return undefined;
  const error = (entry.error as string | null | undefined) ?? null;
  const status = entry.status === undefined
    ? (error !== null ? 'failed' : entry.cached === true ? 'cached' : 'answered')
    : entry.status;
  if (typeof status !== 'string' || !STATUSES.has(status)) return undefined;
  if (status !== 'failed' && typeof entry.answer !== 'string') return undefined;
  return {
    row,
    variant,
    status: status as Answer['status'],
    answer: (entry.answer as string | null | undefined) ?? null,
    error,
    error_kind: (entry.error_kind as Answer['error_kind'] | undefined) ?? null,
    attempts: (entry.attempts as number | undefined) ?? 0,
    latency_ms: (entry.latency_ms as number | null | undefined) ?? null,
    prompt_tokens: (entry.prompt_tokens as number | null | undefined) ?? 0,
    completion_tokens: (entry.completion_tokens as number | null | undefined) ?? 0,
    cost: (entry.cost as number | null | undefined) ?? 0,
    ...(entry.deduplicated === true ? { deduplicated: true } : {}),
  };
}

/** Absent, null, or of the kind: `count` a whole number >= 0, `amount` a finite number >= 0. */
function optional(value: unknown, kind: 'string' | 'boolean' | 'count' | 'amount'): boolean {
  if (value === undefined || value === null) return true;
  if (kind === 'count') return typeof value === 'number' && Number.isInteger(value) && value >= 0;
  if (kind === 'amount') return typeof value === 'number' && Number.isFinite(value) && value >= 0;
  return typeof value === kind;
}

function isIndex(value: unknown, size: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < size;
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
