import type { Answer, AnswerLog } from '../answers.js';
import { redactSecrets } from '../models.js';
import { batchPrice, costOf, priceFor, type Price } from '../pricing.js';
import type { JobSpec } from '../spec.js';
import type { JudgePhase } from '../judge/phases.js';
import { answerChecker, type Checked } from '../structured/validate.js';
import type { BatchApi } from './clients.js';
import { shareTokens } from '../embeddings/batcher.js';
import { requestRows, type BatchResult } from './types.js';

/** How one batch's results become log lines: per lane its batch price, schema check and vector length, and what a verdict adds. */
export interface CollectTarget {
  lanes: number;
  prices: (Price | undefined)[];
  checks: (((text: string) => Checked) | undefined)[];
  dimensions: (number | null)[];
  maxBytes: number | null;
  /** A judging phase's batch: the fields its verdict's text adds to the line (score, pass, verdict, ...), as live. */
  read?: (text: string) => Record<string, unknown>;
}

/** The answers' batches: a lane per variant; a variant with a schema has its answers validated as live (execute.ts lanesOf). */
export function answerTarget(spec: JobSpec): CollectTarget {
  return {
    lanes: spec.variants.length,
    prices: spec.variants.map((v) => batchPrice(v.price ?? priceFor(v.model))),
    checks: spec.variants.map((v) => (v.schema ? answerChecker(v.schema) : undefined)),
    dimensions: spec.variants.map((v) => v.dimensions ?? null),
    maxBytes: spec.max_answer_bytes,
  };
}

/** A judging phase's batches: its lanes, all billed at the judge model's batch price. */
export function judgeTarget(spec: JobSpec, phase: Pick<JudgePhase, 'lanes' | 'model' | 'read'>): CollectTarget {
  const price = batchPrice(phase.model.price ?? priceFor(phase.model.model));
  return { lanes: phase.lanes, prices: Array(phase.lanes).fill(price), checks: [], dimensions: [], maxBytes: spec.max_answer_bytes, read: phase.read };
}

/**
 * Streams one ended batch's results into its log as they are read, matched to their
 * (row, lane) by `custom_id` (the providers do not keep request order). A pair that already
 * has an answer (results read before a crash) is not logged twice, so it is never billed twice;
 * a cancelled request leaves no line (not run), so resume sends it. Answers are billed at the
 * batch price. Returns how many lines were logged.
 */
export async function collectBatch(api: BatchApi, id: string, target: CollectTarget, done: Uint8Array, log: AnswerLog, env: NodeJS.ProcessEnv): Promise<number> {
  const lanes = target.lanes;
  let logged = 0;
  for await (const result of api.results(id)) {
    const request = requestRows(result.custom_id);
    if (!request || request.variant >= lanes || result.type === 'canceled') continue;
    const { rows, variant } = request;
    const answers = result.type === 'succeeded' && result.texts
      ? vectorAnswers(rows, variant, result, target.prices[variant], target.dimensions[variant] ?? null)
      : rows.map((row) => answerOf(row, variant, result, target.prices[variant], target.maxBytes, target.checks[variant]));
    for (const answer of answers) {
      const at = answer.row * lanes + variant;
      if (at >= done.length || done[at]) continue;
      const line = answer.error !== null ? { ...answer, error: redactSecrets(answer.error, env) } : target.read ? { ...answer, ...target.read(answer.answer ?? '') } : answer;
      log.append(line as Answer);
      if (answer.status !== 'failed') done[at] = 1;
      logged += 1;
    }
  }
  return logged;
}

function answerOf(row: number, variant: number, result: Exclude<BatchResult, { type: 'canceled' }>, price: Price | undefined, maxBytes: number | null, check?: (text: string) => Checked): Answer {
  const base = { row, variant, attempts: 1, latency_ms: null };
  if (result.type === 'failed') {
    return { ...base, status: 'failed', answer: null, error: result.message, error_kind: result.kind, prompt_tokens: 0, completion_tokens: 0, cost: 0 };
  }
  const usage = { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, cost: costOf(price, result.promptTokens, result.completionTokens) };
  if (maxBytes !== null && Buffer.byteLength(result.text) > maxBytes) {
    return { ...base, ...usage, status: 'failed', answer: null, error: `the answer is over --max-answer-bytes ${maxBytes}`, error_kind: 'too-large' };
  }
  const checked = check?.(result.text);
  // An answer that does not match the schema is paid for and kept (`<target>_raw`), as live.
  if (checked && !checked.ok) return { ...base, ...usage, status: 'failed', answer: result.text, error: checked.error, error_kind: 'invalid-output' };
  return { ...base, ...usage, status: 'answered', answer: checked ? checked.text : result.text, error: null, error_kind: null };
}

/**
 * An embeddings request's answer fanned out to its rows, as the live runner does: each its vector
 * (checked to be `dimensions` long) and its share of the prompt tokens (equal shares: the inputs
 * are not in the results).
 */
function vectorAnswers(rows: number[], variant: number, result: Extract<BatchResult, { type: 'succeeded' }>, price: Price | undefined, dimensions: number | null): Answer[] {
  const texts = result.texts ?? [];
  const shares = shareTokens(result.promptTokens, rows.map(() => 'x'));
  return rows.map((row, i) => {
    const base = { row, variant, attempts: 1, latency_ms: null, prompt_tokens: shares[i], completion_tokens: 0, cost: costOf(price, shares[i], 0) };
    const text = texts[i] ?? '';
    if (texts.length !== rows.length || text === '') return { ...base, status: 'failed', answer: null, error: `the answer has ${texts.length} embeddings for ${rows.length} inputs`, error_kind: 'bad-response' };
    const length = text.split(',').length;
    if (dimensions !== null && length !== dimensions) return { ...base, status: 'failed', answer: text, error: `the vector has ${length} values, not ${dimensions}`, error_kind: 'invalid-output' };
    return { ...base, status: 'answered', answer: text, error: null, error_kind: null };
  });
}
