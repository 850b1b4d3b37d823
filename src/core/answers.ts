import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { literal } from './sql.js';

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
 * Reads the log through DuckDB: the tally of spend and outcomes, the rows that already have an
 * answer (a bitmap over `total` rows), which a resumed run skips, and the rows whose latest
 * outcome is an error, which it sends again.
 */
export async function readAnswers(connection: DuckDBConnection, path: string, total: number): Promise<{ tally: AnswerTally; done: Uint8Array; failed: Uint8Array }> {
  const source = `read_json(${literal(path)}, format = 'newline_delimited', ignore_errors = true,
      columns = {row: 'BIGINT', error: 'VARCHAR', prompt_tokens: 'BIGINT', completion_tokens: 'BIGINT', cost: 'DOUBLE', cached: 'BOOLEAN'})`;
  const totals = await connection.runAndReadAll(`
    WITH entries AS (SELECT * FROM ${source} WHERE row IS NOT NULL),
    per_row AS (SELECT row, bool_or(error IS NULL) AS ok, bool_or(error IS NULL AND cached) AS from_cache FROM entries GROUP BY row)
    SELECT
      (SELECT count(*) FILTER (ok) FROM per_row)::DOUBLE AS answered,
      (SELECT count(*) FILTER (NOT ok) FROM per_row)::DOUBLE AS failed,
      (SELECT count(*) FILTER (ok AND from_cache) FROM per_row)::DOUBLE AS cached,
      (SELECT coalesce(sum(prompt_tokens), 0) FROM entries)::DOUBLE AS prompt_tokens,
      (SELECT coalesce(sum(completion_tokens), 0) FROM entries)::DOUBLE AS completion_tokens,
      (SELECT coalesce(sum(cost), 0) FROM entries)::DOUBLE AS cost`);
  const t = totals.getRowObjectsJson()[0];
  const done = new Uint8Array(total);
  const failed = new Uint8Array(total);
  const result = await connection.stream(`SELECT row, bool_or(error IS NULL) AS ok FROM ${source} WHERE row IS NOT NULL GROUP BY row`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const [rows, ok] = chunk.getColumns() as [bigint[], boolean[]];
    rows.forEach((row, i) => {
      const index = Number(row);
      if (index < total) (ok[i] ? done : failed)[index] = 1;
    });
  }
  return {
    done,
    failed,
    tally: {
      answered: Number(t.answered),
      failed: Number(t.failed),
      cached: Number(t.cached),
      promptTokens: Number(t.prompt_tokens),
      completionTokens: Number(t.completion_tokens),
      cost: Number(t.cost),
    },
  };
}
