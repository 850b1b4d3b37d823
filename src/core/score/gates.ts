import { UsageError } from '../errors.js';
import type { VariantMetrics } from './measure.js';

/** A CI threshold, `--fail-under <metric>=<value>`: the run fails when the metric is below `value`. */
export interface Gate {
  metric: string;
  value: number;
}

/** A gate some variant missed: the metric's value (null: it could not be computed) and the threshold. */
export interface GateMiss {
  variant: string;
  metric: string;
  value: number | null;
  threshold: number;
}

const METRICS = 'accuracy, macro_f1, weighted_f1, f1:<label>, pass_rate, pass_rate:<evaluator>, conformance, judge_score, win_rate:<variant>';

/** `accuracy=0.9` -> {metric: 'accuracy', value: 0.9}; rates may be written as `90%`. */
export function parseGate(text: string): Gate {
  const match = /^\s*([^=]+?)\s*=\s*(-?[0-9]*\.?[0-9]+)\s*(%?)\s*$/.exec(text);
  if (!match) throw new UsageError(`--fail-under "${text}" is not <metric>=<value>.`, `Write it as accuracy=0.9; metrics: ${METRICS}.`);
  const metric = match[1].startsWith('f1:') ? `f1:${match[1].slice(3).trim().toLowerCase()}` : match[1];
  if (!/^(accuracy|macro_f1|weighted_f1|pass_rate|conformance|judge_score)$|^f1:.+|^pass_rate:.+|^win_rate:.+/.test(metric)) {
    throw new UsageError(`--fail-under "${text}": unknown metric "${metric}".`, `Metrics: ${METRICS}.`);
  }
  const value = Number(match[2]);
  const rate = metric !== 'conformance' && metric !== 'judge_score';
  // Rates are fractions (0.9); conformance is a 0-100 score, judge_score on the judge's scale; "90%" means 0.9 for a rate.
  return { metric, value: match[3] && rate ? value / 100 : value };
}

/** The value of a gated metric for one variant, or null when it cannot be computed (no rows, no such label). */
export function metricValue(metrics: VariantMetrics, metric: string): number | null {
  const classification = metrics.classification;
  if (metric === 'accuracy') return metrics.accuracy;
  if (metric === 'macro_f1') return classification && metrics.counts.scored > 0 ? classification.macro_avg.f1 : null;
  if (metric === 'weighted_f1') return classification && metrics.counts.scored > 0 ? classification.weighted_avg.f1 : null;
  if (metric.startsWith('f1:')) return classification?.per_label.find((s) => s.label === metric.slice(3))?.f1 ?? null;
  if (metric === 'conformance') return metrics.distribution?.conformance ?? null;
  if (metric === 'pass_rate') {
    const evaluated = metrics.evaluators.reduce((sum, e) => sum + e.evaluated, 0);
    return evaluated === 0 ? null : metrics.evaluators.reduce((sum, e) => sum + e.passed, 0) / evaluated;
  }
  if (metric.startsWith('pass_rate:')) return metrics.evaluators.find((e) => e.name === metric.slice(10))?.pass_rate ?? null;
  if (metric === 'judge_score') return metrics.evaluators.find((e) => e.name === 'judge')?.mean_score ?? null;
  if (metric.startsWith('win_rate:')) return metrics.pairwise?.win_rate ?? null;
  return null;
}

/** Every (variant, gate) whose metric is below its threshold or cannot be computed. */
export function gateMisses(metrics: Readonly<Record<string, VariantMetrics>> | null | undefined, gates: readonly Gate[]): GateMiss[] {
  if (!metrics || gates.length === 0) return [];
  const misses: GateMiss[] = [];
  for (const [variant, m] of Object.entries(metrics)) {
    for (const gate of gates) {
      // `win_rate:<variant>` gates that variant alone.
      if (gate.metric.startsWith('win_rate:') && gate.metric.slice(9) !== variant) continue;
      const value = metricValue(m, gate.metric);
      if (value === null || value < gate.value) misses.push({ variant, metric: gate.metric, value, threshold: gate.value });
    }
  }
  return misses;
}

/** `accuracy 0.8333 is below --fail-under 1 (variant gpt_4o_mini)`. */
export function missLine(miss: GateMiss, several: boolean): string {
  const where = several ? ` (variant ${miss.variant})` : '';
  const shown = (value: number) => (miss.metric === 'conformance' ? value.toFixed(1) : String(Number(value.toFixed(4))));
  return miss.value === null
    ? `${miss.metric} could not be computed${where} (no scored rows, or no such label or evaluator), so --fail-under ${miss.metric}=${miss.threshold} fails.`
    : `${miss.metric} ${shown(miss.value)} is below --fail-under ${miss.metric}=${miss.threshold}${where}.`;
}
