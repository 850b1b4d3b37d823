import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { entryOf, forEachLine } from './answers-by-row.js';
import type { FailureKind } from './providers/types.js';
import { LatencySample } from './run/latency.js';

/** What became of one (row, variant); `not_run` is never logged: it is the absence of a line. */
export type RowStatus = 'answered' | 'cached' | 'failed' | 'not_run';

/**
 * One (row, variant) outcome as stored in a job's `answers.jsonl`: one shape for success and
 * failure, with flags rather than text (an answer, or an error with its kind).
 */
export interface Answer {
  /** Row number in the source (0-based, file order). */
  readonly row: number;
  /** Index into the job's variants; absent (0) in logs of evalctl 0.1. */
  readonly variant: number;
  readonly status: Exclude<RowStatus, 'not_run'>;
  readonly answer: string | null;
  /** Why the row failed after retries; null when it has an answer. */
  readonly error: string | null;
  /** The class of the last failure (`rate-limit`, `server`, `bad-request`, ...); null when answered. */
  readonly error_kind: FailureKind | null;
  /** Requests sent for it (0 when answered from the cache or by an identical prompt). */
  readonly attempts: number;
  /** Milliseconds from the first attempt to the outcome; null when nothing was sent. */
  readonly latency_ms: number | null;
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly cost: number;
  /** With status `cached`: answered by an identical prompt sent earlier in the same run (not the cache). */
  readonly deduplicated?: boolean;
}

/**
 * Append-only log of answers, one JSON line each. Every answer is handed to the kernel before
 * the event loop turns again (a plain `write` in the same turn's check phase, no user-space
 * buffer), so a crash or SIGKILL loses only requests still in flight and answers that arrived
 * in that same turn; `sync()` adds an fsync for power loss.
 *
 * A write that fails (a full disk, a quota, an I/O error) never throws at the caller: what was
 * not written stays in memory, `failure` is set and `onFailure` called once, so the run can
 * stop with one clear line; `close()` tries once more.
 */
export class AnswerLog {
  private readonly fd: number;
  private pending: string[] = [];
  /** Bytes of an earlier write that did not reach the file (a short write, or a failed one). */
  private unwritten?: Buffer;
  private scheduled = false;
  failure?: NodeJS.ErrnoException;
  onFailure?: (error: NodeJS.ErrnoException) => void;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a+');
    endTornLine(this.fd);
    openLogs.add(this);
  }

  append(answer: Answer): void {
    this.pending.push(JSON.stringify({ ...answer, t: Date.now() }));
    if (!this.scheduled && !this.failure) {
      this.scheduled = true;
      // At the end of this turn of the event loop (before its timers and its next wait for
      // I/O): every answer that arrived in the turn goes in one write. Per answer (a microtask),
      // the write calls alone took 6% of the CPU against a fast server (bench case a).
      setImmediate(() => this.flush());
    }
  }

  /** Writes everything appended so far; safe to call from a signal handler. Never throws. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 && !this.unwritten) return;
    const text = this.pending.length ? Buffer.from(this.pending.join('\n') + '\n') : Buffer.alloc(0);
    this.pending = [];
    let buffer = this.unwritten ? Buffer.concat([this.unwritten, text]) : text;
    this.unwritten = undefined;
    try {
      // writeSync may write less than asked (a disk filling up): go on until all is written.
      while (buffer.length > 0) buffer = buffer.subarray(writeSync(this.fd, buffer));
    } catch (error) {
      this.unwritten = buffer;
      this.fail(error as NodeJS.ErrnoException);
    }
  }

  sync(): void {
    this.flush();
    if (this.failure) return;
    try {
      fsyncSync(this.fd);
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException);
    }
  }

  /** Lines that could not be written, as bytes (empty when all reached the file). */
  get unwrittenBytes(): number {
    return (this.unwritten?.length ?? 0) + this.pending.reduce((sum, line) => sum + line.length + 1, 0);
  }

  close(): void {
    // One more try: space may have been freed since.
    const failed = this.failure;
    this.failure = undefined;
    this.sync();
    this.failure ??= failed;
    closeSync(this.fd);
    openLogs.delete(this);
  }

  private fail(error: NodeJS.ErrnoException): void {
    if (this.failure) return;
    this.failure = error;
    this.onFailure?.(error);
  }
}

const openLogs = new Set<AnswerLog>();

/** A crash mid-write can leave a last line without its newline; end it, so the next answer is not glued to it. */
function endTornLine(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] !== 0x0a) writeSync(fd, '\n');
}

/** Hands every pending answer to the kernel; for an exit that cannot wait (second Ctrl-C). */
export function flushAllLogs(): void {
  for (const log of openLogs) log.flush();
}

/** What a job's answer log says has been done and spent so far, for one variant. */
export interface AnswerTally {
  /** Rows with an answer. */
  answered: number;
  /** Rows whose latest outcome is an error. */
  failed: number;
  /** Rows answered from the cache, or by an identical prompt of the same run (`deduplicated`). */
  cached: number;
  /** Of `cached`, rows answered by an identical prompt of the same run. */
  deduplicated: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  latency: LatencySample;
}

/** Which (row, variant) pairs already have an answer, or only an error: index `row * variants + variant`. */
export interface AnswerState {
  tallies: AnswerTally[];
  done: Uint8Array;
  failed: Uint8Array;
  /** Lines skipped: torn by a crash, or not what evalctl writes. */
  skipped: number;
}

/**
 * Reads the log in one streaming pass: per variant, the tally of spend (every entry, duplicates
 * included: each was paid for) and of outcomes (per row: an answer beats an error); the pairs
 * that already have an answer, which a resumed run skips, and those whose outcome is an error,
 * which it sends again. Torn and foreign lines are skipped.
 */
export async function readAnswers(path: string, rows: number, variants = 1): Promise<AnswerState> {
  const size = rows * variants;
  const done = new Uint8Array(size);
  const failed = new Uint8Array(size);
  /** 0: not cached, 1: from the cache, 2: by a twin of the same run. */
  const fromCache = new Uint8Array(size);
  const tallies: AnswerTally[] = Array.from({ length: variants }, () => ({ answered: 0, failed: 0, cached: 0, deduplicated: 0, promptTokens: 0, completionTokens: 0, cost: 0, latency: new LatencySample() }));
  let skipped = 0;
  await forEachLine(path, (line) => {
    const entry = entryOf(line, rows, variants);
    if (!entry) { skipped += 1; return; }
    const tally = tallies[entry.variant];
    const at = entry.row * variants + entry.variant;
    tally.promptTokens += entry.prompt_tokens;
    tally.completionTokens += entry.completion_tokens;
    tally.cost += entry.cost;
    if (entry.status !== 'failed') {
      done[at] = 1;
      failed[at] = 0;
      fromCache[at] = entry.status !== 'cached' ? 0 : entry.deduplicated ? 2 : 1;
      if (entry.status === 'answered' && entry.latency_ms !== null) tally.latency.add(entry.latency_ms);
    } else if (!done[at]) {
      failed[at] = 1;
    }
  });
  for (let at = 0; at < size; at++) {
    const tally = tallies[at % variants];
    if (done[at]) {
      tally.answered += 1;
      if (fromCache[at]) tally.cached += 1;
      if (fromCache[at] === 2) tally.deduplicated += 1;
    }
    else if (failed[at]) tally.failed += 1;
  }
  return { done, failed, tallies, skipped };
}
