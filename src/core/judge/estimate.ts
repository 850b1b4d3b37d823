import type { Dataset } from '../dataset.js';
import { measuredRows, tokenCounter, type Estimate } from '../estimate.js';
import type { JobRecord } from '../jobs.js';
import { batchPrice, costOf, priceFor, type Price } from '../pricing.js';
import type { AnswerCell } from './items.js';
import { phasePlans, type JudgeKind } from './phases.js';

/** What one judging phase of a run would cost, worked out without calling the judge. */
export interface JudgeEstimate {
  kind: JudgeKind;
  model: string;
  /**
   * Requests to the judge if every row is answered: rows x variants for the judge, rows x 2
   * (both orders) for pairwise. Failed answers are not judged, so a run makes at most this many.
   */
  calls: number;
  /** How the judge model's prompt tokens are counted, as for the answers. */
  method: Estimate['method'];
  /** Rows whose judge prompts were rendered and measured; the rest are extrapolated from their mean. */
  measuredRows: number;
  /**
   * Prompt tokens of all calls: the rubric rendered on the rows (the real judge prompt builder,
   * answers left empty), plus the answers it quotes at the answers' assumed low and high lengths.
   */
  inputTokens: { low: number; high: number };
  /** Completion tokens per verdict assumed: the judge is sent without a length bound. */
  outputTokensPerCall: { low: number; high: number };
  cost: { low: number; high: number } | null;
  /** The same through the provider's batch API (`--batch-api`). */
  batchCost: { low: number; high: number } | null;
}

/**
 * A verdict's length, assumed: the shipped rubrics ask for `{"score": 4, "reason": "<one
 * sentence>"}` (about 20 tokens); 200 leaves room for a judge that explains itself first. The
 * judge's requests carry no max tokens (Anthropic's default cap of 1,024 applies there).
 */
export const VERDICT_TOKENS = { low: 20, high: 200 } as const;

/**
 * Estimates the judge and pairwise phases of a job (in the order they run; none when no judge is
 * asked), from the answers' estimate (`estimateJob`) for the answers' lengths. Each judge prompt
 * is built on the measured rows by the same code a run sends it with.
 */
export async function estimateJudging(dataset: Dataset, job: Pick<JobRecord, 'settings' | 'rows'>, answers: readonly Estimate[]): Promise<JudgeEstimate[]> {
  const variants = job.settings.variants;
  // Every variant answered, with an empty answer: the answers' tokens are added from `answers`.
  const answered: AnswerCell[] = variants.map(() => ({ status: 'answered', answer: '' }));
  const estimates: JudgeEstimate[] = [];
  for (const phase of phasePlans(job, dataset)) {
    const counter = await tokenCounter(phase.model.provider, phase.model.model);
    let measured = 0;
    let calls = 0;
    const input = { low: 0, high: 0 };
    for await (const { row, values } of measuredRows(dataset, job, phase.columns)) {
      for (const item of phase.build(row, values, answered)) {
        calls++;
        const prompt = counter.tokens(item.prompt);
        // The judge quotes the answer it grades; a pairwise request quotes both.
        const quoted = phase.kind === 'judge' ? [answers[item.variant]] : answers.slice(0, 2);
        input.low += prompt + quoted.reduce((sum, a) => sum + a.outputTokensPerRow.low, 0);
        input.high += prompt + quoted.reduce((sum, a) => sum + a.outputTokensPerRow.high, 0);
      }
      measured++;
    }
    const scale = (total: number) => (measured >= job.rows ? total : Math.round((total / Math.max(1, measured)) * job.rows));
    const totals = { calls: scale(calls), inputTokens: { low: scale(input.low), high: scale(input.high) } };
    const price = phase.model.price ?? priceFor(phase.model.model);
    estimates.push({
      kind: phase.kind, model: phase.model.model, method: counter.method, measuredRows: Math.min(measured, job.rows),
      ...totals, outputTokensPerCall: { ...VERDICT_TOKENS },
      cost: judgeCost(price, totals), batchCost: judgeCost(batchPrice(price), totals),
    });
  }
  return estimates;
}

/** The cost range of `calls` verdicts with these prompt tokens, or null without a price. */
export function judgeCost(price: Price | undefined, totals: { calls: number; inputTokens: { low: number; high: number } }): JudgeEstimate['cost'] {
  if (!price) return null;
  return {
    low: costOf(price, totals.inputTokens.low, totals.calls * VERDICT_TOKENS.low),
    high: costOf(price, totals.inputTokens.high, totals.calls * VERDICT_TOKENS.high),
  };
}
