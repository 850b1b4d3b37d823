import { UsageError } from '../errors.js';
import { sortLabels, type LabelGroup } from './metrics.js';

/** One label's share of the rows, in percent (null where that side has no figures). */
export interface LabelShare {
  label: string;
  ground_truth_pct: number | null;
  predicted_pct: number;
  expected_pct: number | null;
}

/**
 * How the predicted labels are spread, beside the ground truth's spread or a target spread.
 * Predicted shares are over answers that name a label (`predicted_rows`; invalid answers are
 * counted apart); ground-truth shares over rows with a ground truth (`ground_truth_rows`).
 */
export interface Distribution {
  predicted_rows: number;
  ground_truth_rows: number | null;
  labels: LabelShare[];
  /** What the predictions are held against: the `expected` target, else the `ground_truth`. */
  against: 'expected' | 'ground_truth' | null;
  /** 100 minus the total variation distance in percentage points: 100 is the same spread, 0 disjoint. */
  conformance: number | null;
  /** The largest deviations, in one line. */
  explanation: string | null;
}

/**
 * `positive=40,negative=30,neutral=30` -> shares in percent. The weights are rescaled to sum to
 * 100, so `a=2,b=1,b=1` works too; labels are trimmed and case-folded like answers.
 */
export function parseExpectedDistribution(text: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const part of text.split(',')) {
    const match = /^\s*([^=]+?)\s*=\s*([0-9]*\.?[0-9]+)\s*%?\s*$/.exec(part);
    if (!match) throw new UsageError(`--expect-distribution "${text}": "${part.trim()}" is not label=percent.`, 'Write it as positive=40,negative=30,neutral=30.');
    const label = match[1].toLowerCase();
    if (label in weights) throw new UsageError(`--expect-distribution "${text}" names "${label}" twice.`);
    weights[label] = Number(match[2]);
  }
  const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
  if (!(total > 0)) throw new UsageError(`--expect-distribution "${text}" adds up to 0.`, 'Give each label its expected share, e.g. positive=40,negative=30,neutral=30.');
  return Object.fromEntries(Object.entries(weights).map(([label, w]) => [label, (w / total) * 100]));
}

/** Shares of each label among predictions, ground truth and the expected target, with the conformance score. */
export function distributionOf(groups: readonly LabelGroup[], options: { groundTruth: boolean; expected: Record<string, number> | null }): Distribution {
  const predicted = tally(groups.filter((g) => g.outcome === 'answered' && g.predicted !== null), (g) => g.predicted!);
  const truth = options.groundTruth ? tally(groups.filter((g) => g.truth !== null), (g) => g.truth!) : null;
  const expected = options.expected;
  const labels = sortLabels([...new Set([...predicted.counts.keys(), ...(truth?.counts.keys() ?? []), ...Object.keys(expected ?? {})])]);
  const pct = (t: { counts: Map<string, number>; total: number }, label: string) => (t.total === 0 ? 0 : ((t.counts.get(label) ?? 0) / t.total) * 100);
  const shares: LabelShare[] = labels.map((label) => ({
    label,
    ground_truth_pct: truth ? pct(truth, label) : null,
    predicted_pct: pct(predicted, label),
    expected_pct: expected ? expected[label] ?? 0 : null,
  }));
  const against = expected ? 'expected' : truth ? 'ground_truth' : null;
  const target = (s: LabelShare) => (against === 'expected' ? s.expected_pct! : s.ground_truth_pct!);
  const comparable = against !== null && predicted.total > 0 && (against === 'expected' || truth!.total > 0);
  const conformance = comparable ? 100 - shares.reduce((sum, s) => sum + Math.abs(s.predicted_pct - target(s)), 0) / 2 : null;
  return {
    predicted_rows: predicted.total,
    ground_truth_rows: truth ? truth.total : null,
    labels: shares,
    against,
    conformance,
    explanation: comparable ? explain(shares, target, against === 'expected' ? 'expected' : 'in the ground truth') : null,
  };
}

function tally(groups: readonly LabelGroup[], key: (g: LabelGroup) => string): { counts: Map<string, number>; total: number } {
  const counts = new Map<string, number>();
  let total = 0;
  for (const g of groups) {
    counts.set(key(g), (counts.get(key(g)) ?? 0) + g.count);
    total += g.count;
  }
  return { counts, total };
}

/** `positive 52.0% predicted vs 40.0% expected (+12.0 points); neutral 18.0% vs 30.0% (-12.0)`. */
function explain(shares: LabelShare[], target: (s: LabelShare) => number, what: string): string {
  const deviations = shares.map((s) => ({ s, delta: s.predicted_pct - target(s) })).filter((d) => Math.abs(d.delta) >= 0.05);
  if (deviations.length === 0) return `The predicted labels follow the spread ${what}.`;
  deviations.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.s.label < b.s.label ? -1 : 1));
  const sign = (d: number) => `${d > 0 ? '+' : ''}${d.toFixed(1)}`;
  const parts = deviations.slice(0, 2).map(({ s, delta }, i) => i === 0
    ? `${s.label} ${s.predicted_pct.toFixed(1)}% predicted vs ${target(s).toFixed(1)}% ${what} (${sign(delta)} points)`
    : `${s.label} ${s.predicted_pct.toFixed(1)}% vs ${target(s).toFixed(1)}% (${sign(delta)})`);
  return `Largest deviations: ${parts.join('; ')}.`;
}
