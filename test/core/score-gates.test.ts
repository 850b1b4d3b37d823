import { describe, expect, it } from 'vitest';
import { gateMisses, missLine, parseGate } from '../../src/core/score/gates.js';
import type { VariantMetrics } from '../../src/core/score/measure.js';
import { classificationOf } from '../../src/core/score/metrics.js';

const metrics = (accuracy: number | null, passed = 3): VariantMetrics => ({
  prediction_column: 'p', ground_truth_column: 'label',
  counts: { rows: 4, answered: 4, failed: 0, not_run: 0, no_ground_truth: 0, scored: 4, correct: 3, invalid: 0 },
  accuracy,
  classification: classificationOf([{ truth: 'a', predicted: 'a', outcome: 'answered', count: 3 }, { truth: 'b', predicted: 'a', outcome: 'answered', count: 1 }]),
  invalid_examples: [], distribution: null, numeric: null,
  evaluators: [{ name: 'json', evaluated: 4, passed, errors: 0, pass_rate: passed / 4, mean_score: passed / 4, first_error: null }],
});

describe('--fail-under', () => {
  it.each([
    ['accuracy=0.9', { metric: 'accuracy', value: 0.9 }],
    ['accuracy=90%', { metric: 'accuracy', value: 0.9 }],
    ['f1:Positive=0.5', { metric: 'f1:positive', value: 0.5 }],
    ['conformance=80', { metric: 'conformance', value: 80 }],
    ['pass_rate:json=1', { metric: 'pass_rate:json', value: 1 }],
  ])('parses %j', (text, gate) => expect(parseGate(text)).toEqual(gate));

  it.each([['accuracy'], ['recall=0.5'], ['accuracy=high']])('refuses %j', (text) => expect(() => parseGate(text)).toThrow(/--fail-under/));

  it.each([
    ['accuracy=0.75', { one: metrics(0.75) }, []],
    ['accuracy=1.0', { one: metrics(0.75) }, ['accuracy 0.75 is below --fail-under accuracy=1.']],
    ['accuracy=0.5', { one: metrics(null) }, ['accuracy could not be computed (no scored rows, or no such label or evaluator), so --fail-under accuracy=0.5 fails.']],
    ['f1:b=0.1', { one: metrics(0.75) }, ['f1:b 0 is below --fail-under f1:b=0.1.']],
    ['macro_f1=0.5', { one: metrics(0.75) }, ['macro_f1 0.4286 is below --fail-under macro_f1=0.5.']],
    ['pass_rate=0.8', { one: metrics(0.75, 4), two: metrics(0.75, 3) }, ['pass_rate 0.75 is below --fail-under pass_rate=0.8 (variant two).']],
  ])('%s', (gate, byVariant, lines) => {
    const misses = gateMisses(byVariant, [parseGate(gate)]);
    expect(misses.map((m) => missLine(m, Object.keys(byVariant).length > 1))).toEqual(lines);
  });
});
