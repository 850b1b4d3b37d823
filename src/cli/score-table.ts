import type { VariantMetrics } from '../core/score/measure.js';
import { formatCount } from './format.js';

/** Four decimals, as `classification_report(digits=4)` prints them. */
export const fixed = (value: number | null): string => (value === null ? '-' : value.toFixed(4));
const percent = (value: number | null): string => (value === null ? '-' : `${value.toFixed(1)}%`);

/** Cells in columns: the first to the left, figures to the right. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The scores of every variant as readable lines, for stderr (see the README's "Scoring"). */
export function scoreLines(metrics: Readonly<Record<string, VariantMetrics>>): string[] {
  const entries = Object.entries(metrics);
  return entries.flatMap(([name, m]) => variantLines(entries.length > 1 ? `Scores of ${name}` : 'Scores', m));
}

function variantLines(title: string, m: VariantMetrics): string[] {
  const c = m.counts;
  const lines = [`${title}: ${m.prediction_column}${m.ground_truth_column ? ` against ${m.ground_truth_column}` : ''}`];
  const apart = [`${formatCount(c.failed)} failed`, `${formatCount(c.not_run)} not run`];
  if (m.ground_truth_column) apart.push(`${formatCount(c.no_ground_truth)} without ground truth`);
  lines.push(`  rows        ${formatCount(c.rows)}: ${m.ground_truth_column ? `${formatCount(c.scored)} scored (answer and ground truth), ` : `${formatCount(c.answered)} answered, `}${apart.join(', ')}`);
  if (m.ground_truth_column) {
    lines.push(`  accuracy    ${fixed(m.accuracy)} (${formatCount(c.correct)} correct of ${formatCount(c.scored)} scored; ${formatCount(c.invalid)} invalid, counted wrong)`);
  }
  const k = m.classification;
  if (k && k.labels.length) {
    const rows = k.per_label.map((s) => [s.label, fixed(s.precision), fixed(s.recall), fixed(s.f1), formatCount(s.support)]);
    rows.push(['macro avg', fixed(k.macro_avg.precision), fixed(k.macro_avg.recall), fixed(k.macro_avg.f1), formatCount(k.macro_avg.support)]);
    rows.push(['weighted avg', fixed(k.weighted_avg.precision), fixed(k.weighted_avg.recall), fixed(k.weighted_avg.f1), formatCount(k.weighted_avg.support)]);
    lines.push(...table(['label', 'precision', 'recall', 'f1-score', 'support'], rows).map((l) => `  ${l}`));
    lines.push('  confusion matrix (rows: ground truth, columns: predicted)');
    const header = ['', ...k.labels, ...(c.invalid ? ['(invalid)'] : [])];
    const cells = k.labels.map((label, i) => [label, ...k.confusion.matrix[i].map((n) => formatCount(n)), ...(c.invalid ? [formatCount(k.confusion.invalid[i])] : [])]);
    lines.push(...table(header, cells).map((l) => `  ${l}`));
  }
  if (m.invalid_examples.length) {
    lines.push(`  invalid     ${m.invalid_examples.map((e) => `row ${e.row}: ${JSON.stringify(e.answer === null ? null : e.answer.length > 40 ? `${e.answer.slice(0, 40)}…` : e.answer)}`).join(', ')}`);
  }
  const d = m.distribution;
  if (d) {
    const sides = [...(d.ground_truth_rows !== null ? ['ground truth'] : []), 'predicted', ...(d.against === 'expected' ? ['expected'] : [])];
    const rows = d.labels.map((s) => [s.label, ...(d.ground_truth_rows !== null ? [percent(s.ground_truth_pct)] : []), percent(s.predicted_pct), ...(d.against === 'expected' ? [percent(s.expected_pct)] : [])]);
    lines.push(...table(['distribution', ...sides], rows).map((l) => `  ${l}`));
    if (d.conformance !== null) lines.push(`  conformance ${d.conformance.toFixed(1)}/100 against the ${d.against === 'expected' ? 'expected spread' : 'ground truth'}. ${d.explanation}`);
  }
  if (m.numeric) {
    const n = m.numeric;
    lines.push(`  numeric     MAE ${fixed(n.mae)}, RMSE ${fixed(n.rmse)} over ${formatCount(n.rows)} rows; exact match ${fixed(n.exact_match_rate)}${n.unparsed ? ` (${formatCount(n.unparsed)} answers not numbers)` : ''}`);
  }
  if (m.evaluators.length) {
    const rows = m.evaluators.map((e) => [e.name, fixed(e.pass_rate), formatCount(e.passed), formatCount(e.evaluated), formatCount(e.errors), fixed(e.mean_score)]);
    lines.push(...table(['evaluator', 'pass rate', 'passed', 'evaluated', 'not judged', 'mean score'], rows).map((l) => `  ${l}`));
    for (const e of m.evaluators) if (e.first_error) lines.push(`  ${e.name}: first error: ${e.first_error}`);
  }
  if (m.note) lines.push(`  ${m.note}`);
  return lines;
}
