import { appendFileSync } from 'node:fs';
import type { GateMiss } from '../core/score/gates.js';
import { missLine } from '../core/score/gates.js';
import type { VariantMetrics } from '../core/score/measure.js';
import { fixed } from './score-table.js';
import { formatCost } from './render.js';

const row = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
const head = (cells: string[]) => [row(cells), row(cells.map((_, i) => (i === 0 ? '---' : '---:')))];

/**
 * A Markdown summary of the scores for GitHub Actions' job summary: a metrics table (a row per
 * variant), each variant's per-label table and confusion matrix, the gates missed, cost and output.
 */
export function markdownSummary(input: { title: string; metrics: Readonly<Record<string, VariantMetrics>>; costUsd: number | null; output: string; misses: readonly GateMiss[] }): string {
  const entries = Object.entries(input.metrics);
  const lines = [`### ${input.title}`, ''];
  lines.push(...head(['variant', 'accuracy', 'macro F1', 'weighted F1', 'scored', 'correct', 'invalid', 'failed', 'not run', 'conformance', 'pass rate']));
  for (const [name, m] of entries) {
    const k = m.classification;
    const evaluated = m.evaluators.reduce((sum, e) => sum + e.evaluated, 0);
    const passRate = evaluated ? fixed(m.evaluators.reduce((sum, e) => sum + e.passed, 0) / evaluated) : '-';
    lines.push(row([name, fixed(m.accuracy), k ? fixed(k.macro_avg.f1) : '-', k ? fixed(k.weighted_avg.f1) : '-', m.counts.scored, m.counts.correct, m.counts.invalid, m.counts.failed, m.counts.not_run,
      m.distribution?.conformance === null || m.distribution === null ? '-' : m.distribution.conformance.toFixed(1), passRate]));
  }
  for (const [name, m] of entries) {
    const k = m.classification;
    if (!k || k.labels.length === 0) continue;
    lines.push('', `#### ${name}: per label`, '', ...head(['label', 'precision', 'recall', 'F1', 'support']));
    for (const s of k.per_label) lines.push(row([s.label, fixed(s.precision), fixed(s.recall), fixed(s.f1), s.support]));
    lines.push('', `#### ${name}: confusion matrix (rows: ground truth, columns: predicted)`, '', ...head(['', ...k.labels, 'invalid']));
    k.labels.forEach((label, i) => lines.push(row([label, ...k.confusion.matrix[i], k.confusion.invalid[i]])));
  }
  for (const [name, m] of entries) {
    for (const e of m.evaluators) lines.push('', `${name}: evaluator **${e.name}** passed ${e.passed} of ${e.evaluated} (${fixed(e.pass_rate)})`);
  }
  lines.push('');
  for (const miss of input.misses) lines.push(`:x: ${missLine(miss, entries.length > 1)}`);
  lines.push(`Cost: ${formatCost(input.costUsd)}. Output: \`${input.output}\``, '');
  return `${lines.join('\n')}\n`;
}

/** Appends the summary to `$GITHUB_STEP_SUMMARY` when it is set. */
export function appendStepSummary(env: NodeJS.ProcessEnv, summary: () => string): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary());
}
