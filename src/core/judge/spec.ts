import type { Price } from '../pricing.js';
import type { ProviderId } from '../providers/types.js';

/** Who judges: a model at an endpoint, with its price kept so a resumed job bills the same way. */
export interface JudgeModel {
  model: string;
  provider: ProviderId;
  /** A non-default endpoint; null for the provider's own API. */
  base_url: string | null;
  price: Price | null;
}

/**
 * An LLM judge as a job spec stores it (`settings.judge`), so `resume` judges the same way.
 * The rubric's placeholders: row columns, `{prediction}` (the answer judged), `{prompt}` (the
 * prompt that was asked), `{ground_truth}` and `{context}` (the columns named below).
 */
export interface JudgeSpec extends JudgeModel {
  /** The rubric's name (`relevance`), the file's stem, or `custom` for an inline rubric. */
  name: string;
  /** The rubric template. */
  prompt: string;
  /** The score's scale, inclusive: [1, 5] for `--judge-scale 1-5`. */
  scale: [number, number];
  /** A score at or above it passes. */
  pass_threshold: number;
  /** `--ground-truth`: the column `{ground_truth}` reads. */
  ground_truth: string | null;
  /** `--judge-context`: the column `{context}` reads. */
  context_column: string | null;
}

/** A pairwise comparison of a job's two variants (`settings.pairwise`); placeholders `{answer_a}`, `{answer_b}`, `{prompt}` and row columns. */
export interface PairwiseSpec extends JudgeModel {
  name: string;
  prompt: string;
}

/** The default scale, and its threshold: the midpoint rounded up (3 on 1-5, 6 on 1-10). */
export const DEFAULT_SCALE: [number, number] = [1, 5];

export function defaultThreshold(scale: readonly [number, number]): number {
  return Math.ceil((scale[0] + scale[1]) / 2);
}

/** Placeholders a judge rubric may use besides the table's columns. */
export const JUDGE_PLACEHOLDERS = ['prediction', 'prompt', 'ground_truth', 'context', 'scale_min', 'scale_max'] as const;
/** Placeholders a pairwise rubric may use besides the table's columns. */
export const PAIRWISE_PLACEHOLDERS = ['answer_a', 'answer_b', 'prompt'] as const;
