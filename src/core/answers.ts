import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { entryOf, forEachLine } from './answers-by-row.js';

/** One row's outcome as stored in a job's `answers.jsonl`. */
export interface Answer {
  /** Row number in the source (0-based, file order). */
  readonly row: number;
  readonly answer: string | null;
  /** Why the row failed after retries; null when it has an answer. */
  readonly error: string | null;
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly cost: number;
  /** Answered from the response cache (or a duplicate prompt in this run): nothing paid. */
  readonly cached: boolean;
}

/**
 * Append-only log of answers, one JSON line each. Every answer is handed to the kernel within
 * one event-loop turn of arriving (a plain `write`, no user-space buffer), so a crash or
 * SIGKILL loses only requests still in flight; `sync()` adds an fsync for power loss.
 * Several answers arriving in the same turn go out in one write.
 */
export class AnswerLog {
  private readonly fd: number;
  private pending: string[] = [];
  private scheduled = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a+');
    endTornLine(this.fd);
    openLogs.add(this);
  }

  append(answer: Answer): void {
    this.pending.push(JSON.stringify({ ...answer, t: Date.now() }));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes everything appended so far; safe to call from a signal handler. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    writeSync(this.fd, text);
  }

  sync(): void {
    this.flush();
    fsyncSync(this.fd);
  }

  close(): void {
    this.sync();
    closeSync(this.fd);
    openLogs.delete(this);
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

/** What a job's answer log says has been done and spent so far. */
export interface AnswerTally {
  /** Rows with an answer. */
  answered: number;
  /** Rows whose latest outcome is an error. */
  failed: number;
  /** Rows answered from the cache. */
  cached: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/**
 * Reads the log in one streaming pass: the tally of spend (every entry, duplicates included:
 * each was paid for) and of outcomes (per row: an answer beats an error), the rows that
 * already have an answer (a bitmap over `total` rows), which a resumed run skips, and the rows
 * whose outcome is an error, which it sends again. Torn and foreign lines are skipped.
 */
export async function readAnswers(path: string, total: number): Promise<{ tally: AnswerTally; done: Uint8Array; failed: Uint8Array }> {
  const done = new Uint8Array(total);
  const failed = new Uint8Array(total);
  const fromCache = new Uint8Array(total);
  const tally: AnswerTally = { answered: 0, failed: 0, cached: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
  await forEachLine(path, (line) => {
    const entry = entryOf(line, total);
    if (!entry) return;
    const { row } = entry;
    tally.promptTokens += entry.prompt_tokens ?? 0;
    tally.completionTokens += entry.completion_tokens ?? 0;
    tally.cost += entry.cost ?? 0;
    if (entry.error === null || entry.error === undefined) {
      done[row] = 1;
      failed[row] = 0;
      if (entry.cached) fromCache[row] = 1;
    } else if (!done[row]) {
      failed[row] = 1;
    }
  });
  for (let row = 0; row < total; row++) {
    if (done[row]) { tally.answered += 1; if (fromCache[row]) tally.cached += 1; }
    else if (failed[row]) tally.failed += 1;
  }
  return { done, failed, tally };
}
