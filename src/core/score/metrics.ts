/**
 * Classification metrics with scikit-learn's `classification_report` conventions, computed from
 * the small table of (ground truth, prediction, outcome, count) groups DuckDB counts over the
 * rows. Only this arithmetic runs in JavaScript.
 */

/** What happened to a row's answer: it has one (`answered`, also from cache), it failed, or it was never asked. */
export type Outcome = 'answered' | 'failed' | 'not_run';

/** One group of rows: normalised ground truth (null: none), normalised predicted label (null: none or invalid). */
export interface LabelGroup {
  truth: string | null;
  predicted: string | null;
  outcome: Outcome;
  count: number;
}

export interface LabelScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Scored rows whose ground truth is this label. */
  support: number;
}

export interface Average {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Classification {
  /** Sorted union of the ground-truth labels and the valid predicted labels of scored rows (sklearn's `unique_labels`). */
  labels: string[];
  per_label: LabelScores[];
  macro_avg: Average;
  weighted_avg: Average;
  /**
   * `matrix[i][j]`: scored rows with ground truth `labels[i]` predicted `labels[j]`;
   * `invalid[i]`: scored rows with ground truth `labels[i]` whose answer names no label.
   */
  confusion: { labels: string[]; matrix: number[][]; invalid: number[] };
}

/**
 * Per-label precision, recall, F1 and support, their macro and weighted averages, and the
 * confusion matrix, over the scored rows (answered, with a ground truth). An invalid answer is
 * no label's prediction but is in its ground-truth label's support, so it lowers that label's
 * recall, as `classification_report(y_true, y_pred, labels=unique_labels(y_true, valid y_pred))`
 * counts it. Any division by zero counts as 0 (`zero_division=0`).
 */
export function classificationOf(groups: readonly LabelGroup[]): Classification {
  const scored = groups.filter((g) => g.outcome === 'answered' && g.truth !== null);
  const labels = sortLabels([...new Set(scored.flatMap((g) => (g.predicted === null ? [g.truth!] : [g.truth!, g.predicted])))]);
  const index = new Map(labels.map((label, i) => [label, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  const invalid = labels.map(() => 0);
  for (const g of scored) {
    const i = index.get(g.truth!)!;
    if (g.predicted === null) invalid[i] += g.count;
    else matrix[i][index.get(g.predicted)!] += g.count;
  }
  const per_label = labels.map((label, i) => {
    const tp = matrix[i][i];
    const predicted = matrix.reduce((sum, row) => sum + row[i], 0);
    const support = matrix[i].reduce((sum, n) => sum + n, 0) + invalid[i];
    const fp = predicted - tp;
    const fn = support - tp;
    // sklearn's form of F1 (2tp / (2tp + fp + fn)): equal to 2PR / (P + R), with no 0/0 when tp = 0.
    return { label, precision: ratio(tp, predicted), recall: ratio(tp, support), f1: ratio(2 * tp, 2 * tp + fp + fn), support };
  });
  const total = per_label.reduce((sum, s) => sum + s.support, 0);
  const mean = (key: 'precision' | 'recall' | 'f1') => ratio(per_label.reduce((sum, s) => sum + s[key], 0), per_label.length);
  const weighted = (key: 'precision' | 'recall' | 'f1') => ratio(per_label.reduce((sum, s) => sum + s[key] * s.support, 0), total);
  return {
    labels,
    per_label,
    macro_avg: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), support: total },
    weighted_avg: { precision: weighted('precision'), recall: weighted('recall'), f1: weighted('f1'), support: total },
    confusion: { labels, matrix, invalid },
  };
}

/** `a / b`, or 0 when `b` is 0 (sklearn's `zero_division=0`). */
export function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Labels in sklearn's order: numerically when every label is a number, else by code point. */
export function sortLabels(labels: string[]): string[] {
  const numeric = labels.length > 0 && labels.every((l) => l.trim() !== '' && Number.isFinite(Number(l)));
  return numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
