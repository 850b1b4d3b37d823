import { estimateTokens } from '../providers/echo.js';
import type { Lane, WorkItem } from '../run/work.js';
import { MAX_INPUTS, MAX_REQUEST_TOKENS } from './spec.js';

/**
 * Groups the work items of embedding lanes into batch items of up to `batchSize` rows (and
 * within a request's limits: 2,048 inputs, 300,000 tokens), one request each; chat lanes'
 * items, and empty inputs (which the runner fails without sending), pass through one by one.
 * A batch item carries its rows in `batch`; the runner fans its answer back out, one `Answer`
 * per row, and a failed request fails (or retries) all its rows. Holds at most one open batch
 * per lane.
 */
export async function* batchEmbeddings(items: AsyncIterable<WorkItem[]>, lanes: readonly Lane[], batchSize: number): AsyncGenerator<WorkItem[]> {
  if (!lanes.some((lane) => lane.embedding)) { yield* items; return; }
  const size = Math.max(1, Math.min(batchSize, MAX_INPUTS));
  const open: ({ rows: WorkItem[]; tokens: number } | undefined)[] = lanes.map(() => undefined);
  const close = (variant: number): WorkItem => {
    const { rows } = open[variant]!;
    open[variant] = undefined;
    return { row: rows[0].row, variant, prompt: rows[0].prompt, batch: rows.map(({ row, prompt }) => ({ row, prompt })) };
  };
  for await (const chunk of items) {
    const out: WorkItem[] = [];
    for (const item of chunk) {
      if (!lanes[item.variant].embedding || item.prompt.trim() === '') { out.push(item); continue; }
      const tokens = estimateTokens(item.prompt);
      const current = open[item.variant];
      if (current && current.tokens + tokens > MAX_REQUEST_TOKENS) out.push(close(item.variant));
      const batch = (open[item.variant] ??= { rows: [], tokens: 0 });
      batch.rows.push(item);
      batch.tokens += tokens;
      if (batch.rows.length >= size) out.push(close(item.variant));
    }
    if (out.length) yield out;
  }
  const rest = open.flatMap((batch, variant) => (batch ? [close(variant)] : []));
  if (rest.length) yield rest;
}

/**
 * A batch's prompt tokens shared among its rows in proportion to their length (whole tokens,
 * summing to the total), so each row's tokens and cost add up to what the request was billed.
 */
export function shareTokens(total: number, prompts: readonly string[]): number[] {
  const lengths = prompts.map((p) => Math.max(1, p.length));
  const sum = lengths.reduce((a, b) => a + b, 0);
  let given = 0;
  return lengths.map((length, i) => {
    if (i === lengths.length - 1) return total - given;
    const share = Math.floor((total * length) / sum);
    given += share;
    return share;
  });
}
