import type { Answer } from '../answers.js';
import { shareTokens } from '../embeddings/batcher.js';
import { costOf } from '../pricing.js';
import { estimateTokens } from '../providers/echo.js';
import { imageTokens } from '../images/sniff.js';
import type { Completion, Failure } from '../providers/types.js';
import type { Checked } from '../structured/validate.js';
import type { RunProgress } from './progress.js';
import type { Lane, WorkItem } from './work.js';

/** A prompt's answer, or its final error, with the attempts and time it took. */
export type Outcome = { completion: Completion; attempts: number; latencyMs: number } | { failure: Failure; message: string; attempts: number; latencyMs: number };

/**
 * Turns each (row, variant)'s outcome into its answer-log line and its share of the progress
 * totals: answers (checked against the variant's schema and --max-answer-bytes), cache hits
 * and twins (free), failures, and an embedding batch fanned out to its rows. Keeps what each
 * variant has paid so far, from which `estimate` prices the next request for the budget.
 */
export class Outcomes {
  /** Requests paid for and their cost, per variant. */
  private readonly paid: { count: number; cost: number }[];

  constructor(
    private readonly lanes: readonly Lane[],
    private readonly progress: RunProgress,
    private readonly record: (answer: Answer) => void,
    private readonly now: () => number,
    private readonly maxAnswerBytes?: number,
  ) {
    this.paid = lanes.map(() => ({ count: 0, cost: 0 }));
  }

  /** What one request of this pair will cost: its variant's mean so far, or a guess from the prompt. */
  estimate(item: WorkItem): number {
    const lane = this.lanes[item.variant];
    const paid = this.paid[item.variant];
    if (item.batch) return paid.count > 0 ? (paid.cost / paid.count) * item.batch.length : costOf(lane.price, item.batch.reduce((sum, b) => sum + estimateTokens(b.prompt), 0), 0);
    if (paid.count > 0) return paid.cost / paid.count;
    const images = item.parts ? item.parts.filter((part) => typeof part !== 'string').length * imageTokens(lane.provider.id) : 0;
    return costOf(lane.price, estimateTokens((lane.request.system ?? '') + item.prompt) + images, lane.request.maxTokens ?? 256);
  }

  finish(item: WorkItem, outcome: { completion: Completion; attempts: number; latencyMs: number }, status: 'answered' | 'cached', checked?: Checked, deduplicated = false): void {
    const cached = status === 'cached';
    const { completion } = outcome;
    checked ??= this.lanes[item.variant].check?.(completion.text);
    const limit = this.maxAnswerBytes;
    // Length in UTF-16 units bounds the bytes from below (x1) and above (x3): measure only near the limit.
    const tooLarge = limit !== undefined && completion.text.length * 3 > limit && Buffer.byteLength(completion.text) > limit;
    const lane = this.lanes[item.variant];
    const promptTokens = cached ? 0 : completion.promptTokens;
    const completionTokens = cached ? 0 : completion.completionTokens;
    const cost = costOf(lane.price, promptTokens, completionTokens);
    if (!cached) { this.paid[item.variant].count += 1; this.paid[item.variant].cost += cost; }
    const totals = this.progress;
    const variant = totals.variants[item.variant];
    for (const p of [totals, variant]) {
      p.processed += 1;
      if (cached) p.cached += 1;
      if (deduplicated) p.deduplicated = (p.deduplicated ?? 0) + 1;
      p.promptTokens += promptTokens;
      p.completionTokens += completionTokens;
      p.cost += cost;
    }
    if (!cached) variant.latency.add(outcome.latencyMs);
    if (totals.backoff && totals.backoff.until < this.now()) totals.backoff = undefined;
    if (tooLarge) {
      totals.failed += 1;
      variant.failed += 1;
      this.record({
        row: item.row, variant: item.variant, status: 'failed', answer: null,
        error: `the answer is ${Buffer.byteLength(completion.text).toLocaleString('en-US')} bytes, over --max-answer-bytes ${limit!.toLocaleString('en-US')}`,
        error_kind: 'too-large', attempts: outcome.attempts, latency_ms: cached ? null : outcome.latencyMs,
        prompt_tokens: promptTokens, completion_tokens: completionTokens, cost,
      });
      return;
    }
    if (checked && !checked.ok) {
      totals.failed += 1;
      variant.failed += 1;
      // Paid for and kept: the text goes to `<target>_raw`.
      this.record({
        row: item.row, variant: item.variant, status: 'failed', answer: completion.text, error: checked.error,
        error_kind: 'invalid-output', attempts: outcome.attempts, latency_ms: cached ? null : outcome.latencyMs,
        prompt_tokens: promptTokens, completion_tokens: completionTokens, cost,
      });
      return;
    }
    this.record({
      row: item.row, variant: item.variant, status, answer: checked ? checked.text : completion.text, error: null, error_kind: null,
      attempts: outcome.attempts, latency_ms: cached ? null : outcome.latencyMs,
      prompt_tokens: promptTokens, completion_tokens: completionTokens, cost,
      ...(deduplicated ? { deduplicated: true } : {}),
    });
  }

  /**
   * Fans a batch request's outcome out to its rows: each its vector (checked for length) and
   * its share of the tokens, or each the request's failure.
   */
  finishBatch(item: WorkItem, rows: NonNullable<WorkItem['batch']>, outcome: Outcome): void {
    if ('failure' in outcome) {
      for (const { row } of rows) this.finishFailed({ row, variant: item.variant, prompt: '' }, outcome);
      return;
    }
    const { completion } = outcome;
    const shares = shareTokens(completion.promptTokens, rows.map((r) => r.prompt));
    const dimensions = this.lanes[item.variant].embedding?.length;
    rows.forEach(({ row, prompt }, i) => {
      const text = completion.texts?.[i] ?? '';
      // One bad vector (a wrong length would fail the typed column) fails its row, not the output.
      const bad = dimensions !== undefined && text.split(',').length !== dimensions;
      const check = bad ? { ok: false as const, error: `the vector has ${text.split(',').length} values, not ${dimensions}` } : undefined;
      this.finish({ row, variant: item.variant, prompt }, { ...outcome, completion: { text, promptTokens: shares[i], completionTokens: 0 } }, 'answered', check);
    });
  }

  finishFailed(item: WorkItem, outcome: { failure: Failure; message: string; attempts: number; latencyMs: number }): void {
    for (const p of [this.progress, this.progress.variants[item.variant]]) {
      p.processed += 1;
      p.failed += 1;
    }
    this.record({
      row: item.row, variant: item.variant, status: 'failed', answer: null, error: outcome.message, error_kind: outcome.failure.kind,
      attempts: outcome.attempts, latency_ms: outcome.latencyMs, prompt_tokens: 0, completion_tokens: 0, cost: 0,
    });
  }
}
