import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Dataset } from '../dataset.js';
import { JobError } from '../errors.js';
import type { WorkItem } from '../run/work.js';
import type { RowSelection } from '../writer.js';

/** One variant's answer to a row as the row-ordered answers hold it (a raw answer-log line), or null: not run. */
export interface AnswerCell {
  status?: string;
  answer?: string | null;
  error?: string | null;
}

/** The answer text of a pair that has one (answered or cached), else null. */
export function answerText(cell: AnswerCell | null): string | null {
  if (!cell || typeof cell.answer !== 'string') return null;
  const status = cell.status ?? (cell.error == null ? 'answered' : 'failed');
  return status === 'failed' ? null : cell.answer;
}

/** Builds the judge requests of one row from its values (of the streamed columns) and its variants' answers. */
export type RowItems = (row: number, values: readonly (string | null)[], answers: readonly (AnswerCell | null)[]) => WorkItem[];

/**
 * Streams the selected rows' values in step with the row-ordered answers (`writeAnswersByRow`,
 * one line per selected row, ascending), chunk by chunk: memory holds one chunk, never the table
 * or the answers. A line for another row than the source's stops the run (it would misplace a verdict).
 */
export async function* judgeItems(dataset: Dataset, columns: readonly string[], byRowPath: string, selection: RowSelection, build: RowItems): AsyncGenerator<WorkItem[]> {
  const chosen = selection.kind === 'rows' ? new Set((JSON.parse(readFileSync(selection.path, 'utf8')) as { rows: number[] }).rows) : undefined;
  const limit = selection.kind === 'first' ? selection.count : selection.kind === 'range' ? selection.end : undefined;
  const start = selection.kind === 'range' ? selection.start : 0;
  const lines = createInterface({ input: createReadStream(byRowPath), crlfDelay: Infinity })[Symbol.asyncIterator]();
  try {
    for await (const chunk of dataset.stream(columns, limit)) {
      const items: WorkItem[] = [];
      for (let i = 0; i < chunk.rows.length; i++) {
        const row = chunk.rows[i];
        if (row < start || (chosen && !chosen.has(row))) continue;
        const next = await lines.next();
        const entry = next.done ? undefined : JSON.parse(next.value) as { row: number; a: (AnswerCell | null)[] };
        if (!entry || entry.row !== row) throw new JobError(`The answers put in row order are out of step with the source at row ${row}; nothing was judged wrongly.`, 'Run `evalctl resume` again; if it persists, report it.');
        items.push(...build(row, chunk.values[i], entry.a));
      }
      if (items.length) yield items;
    }
  } finally {
    await lines.return?.();
  }
}
