import { describe, expect, it } from 'vitest';
import { distributionOf, parseExpectedDistribution } from '../../src/core/score/distribution.js';
import { classificationOf, sortLabels, type LabelGroup } from '../../src/core/score/metrics.js';

/** Groups from parallel lists of ground truth and predictions (null: an invalid answer), every row answered. */
function groups(truth: string[], predicted: (string | null)[]): LabelGroup[] {
  const counts = new Map<string, LabelGroup>();
  truth.forEach((t, i) => {
    const key = JSON.stringify([t, predicted[i]]);
    const group = counts.get(key) ?? { truth: t, predicted: predicted[i], outcome: 'answered' as const, count: 0 };
    group.count += 1;
    counts.set(key, group);
  });
  return [...counts.values()];
}

const round = (x: number) => Number(x.toFixed(4));

// Figures worked by hand (and they are what sklearn's classification_report(zero_division=0,
// labels=unique_labels(y_true, valid y_pred)) prints; sklearn is not installed on this machine,
// so these were not cross-checked against it).
describe('classificationOf', () => {
  it.each([
    {
      case: 'three labels, one invalid answer (counts against its label\'s recall only)',
      truth: ['positive', 'negative', 'neutral', 'positive', 'neutral', 'negative'],
      predicted: ['positive', 'negative', 'positive', null, 'neutral', 'positive'],
      labels: ['negative', 'neutral', 'positive'],
      perLabel: [[1, 0.5, 0.6667, 2], [1, 0.5, 0.6667, 2], [0.3333, 0.5, 0.4, 2]],
      macro: [0.7778, 0.5, 0.5778], weighted: [0.7778, 0.5, 0.5778],
      matrix: [[1, 0, 1], [0, 1, 1], [0, 0, 1]], invalid: [0, 0, 1],
    },
    {
      case: 'a label never predicted: precision 0/0 counts as 0',
      truth: ['a', 'a', 'b'], predicted: ['a', 'a', 'a'],
      labels: ['a', 'b'],
      perLabel: [[0.6667, 1, 0.8, 2], [0, 0, 0, 1]],
      macro: [0.3333, 0.5, 0.4], weighted: [0.4444, 0.6667, 0.5333],
      matrix: [[2, 0], [1, 0]], invalid: [0, 0],
    },
    {
      case: 'a predicted label absent from the ground truth joins the labels with support 0',
      truth: ['a', 'b'], predicted: ['c', 'b'],
      labels: ['a', 'b', 'c'],
      perLabel: [[0, 0, 0, 1], [1, 1, 1, 1], [0, 0, 0, 0]],
      macro: [0.3333, 0.3333, 0.3333], weighted: [0.5, 0.5, 0.5],
      matrix: [[0, 0, 1], [0, 1, 0], [0, 0, 0]], invalid: [0, 0, 0],
    },
    {
      case: 'only invalid answers',
      truth: ['a'], predicted: [null],
      labels: ['a'], perLabel: [[0, 0, 0, 1]], macro: [0, 0, 0], weighted: [0, 0, 0], matrix: [[0]], invalid: [1],
    },
    {
      case: 'numeric labels sort as numbers',
      truth: ['10', '9', '10'], predicted: ['10', '10', '10'],
      labels: ['9', '10'], perLabel: [[0, 0, 0, 1], [0.6667, 1, 0.8, 2]], macro: [0.3333, 0.5, 0.4], weighted: [0.4444, 0.6667, 0.5333],
      matrix: [[0, 1], [0, 2]], invalid: [0, 0],
    },
  ])('$case', ({ truth, predicted, labels, perLabel, macro, weighted, matrix, invalid }) => {
    const report = classificationOf(groups(truth, predicted));
    expect(report.labels).toEqual(labels);
    expect(report.per_label.map((s) => [round(s.precision), round(s.recall), round(s.f1), s.support])).toEqual(perLabel);
    expect([report.macro_avg.precision, report.macro_avg.recall, report.macro_avg.f1].map(round)).toEqual(macro);
    expect([report.weighted_avg.precision, report.weighted_avg.recall, report.weighted_avg.f1].map(round)).toEqual(weighted);
    expect(report.confusion.matrix).toEqual(matrix);
    expect(report.confusion.invalid).toEqual(invalid);
  });

  it('leaves out failed and not-run rows and rows without a ground truth', () => {
    const report = classificationOf([
      { truth: 'a', predicted: 'a', outcome: 'answered', count: 3 },
      { truth: 'a', predicted: null, outcome: 'failed', count: 5 },
      { truth: 'b', predicted: null, outcome: 'not_run', count: 7 },
      { truth: null, predicted: 'b', outcome: 'answered', count: 11 },
    ]);
    expect(report.labels).toEqual(['a']);
    expect(report.per_label).toEqual([{ label: 'a', precision: 1, recall: 1, f1: 1, support: 3 }]);
  });

  it('sorts text labels by code point, as numpy does', () => expect(sortLabels(['b', 'B', 'a'])).toEqual(['B', 'a', 'b']));
});

describe('label distributions', () => {
  it.each([
    ['positive=40,negative=30,neutral=30', { positive: 40, negative: 30, neutral: 30 }],
    ['A=2, b=1,c=1', { a: 50, b: 25, c: 25 }],
    ['x=50%,y=50%', { x: 50, y: 50 }],
  ])('parses %j', (text, expected) => expect(parseExpectedDistribution(text)).toEqual(expected));

  it.each([
    ['positive=40,positive=60', /twice/],
    ['positive', /not label=percent/],
    ['a=0,b=0', /adds up to 0/],
  ])('refuses %j', (text, message) => expect(() => parseExpectedDistribution(text)).toThrow(message));

  it('scores predictions against an expected spread: 100 minus the total variation distance in points', () => {
    const predicted = [...Array(6).fill('positive'), ...Array(2).fill('negative'), ...Array(2).fill('neutral')];
    const d = distributionOf(groups(predicted.map(() => 'x'), predicted).map((g) => ({ ...g, truth: null })), {
      groundTruth: false, expected: { positive: 40, negative: 30, neutral: 30 },
    });
    expect(d.labels.map((s) => [s.label, s.predicted_pct, s.expected_pct, s.ground_truth_pct])).toEqual([
      ['negative', 20, 30, null], ['neutral', 20, 30, null], ['positive', 60, 40, null],
    ]);
    expect(d.conformance).toBeCloseTo(80, 10);
    expect(d.explanation).toBe('Largest deviations: positive 60.0% predicted vs 40.0% expected (+20.0 points); negative 20.0% vs 30.0% (-10.0).');
  });

  it('compares with the ground truth when no spread is expected, invalid answers left out of the predicted shares', () => {
    const d = distributionOf(groups(['a', 'a', 'b', 'b'], ['a', 'a', 'b', null]), { groundTruth: true, expected: null });
    expect(d.predicted_rows).toBe(3);
    expect(d.ground_truth_rows).toBe(4);
    expect(d.labels.map((s) => [s.label, s.ground_truth_pct, round(s.predicted_pct)])).toEqual([['a', 50, 66.6667], ['b', 50, 33.3333]]);
    expect(round(d.conformance!)).toBe(83.3333);
    expect(d.against).toBe('ground_truth');
  });

  it('says so when the spreads match', () => {
    const d = distributionOf(groups(['a', 'b'], ['b', 'a']), { groundTruth: true, expected: null });
    expect(d.conformance).toBe(100);
    expect(d.explanation).toBe('The predicted labels follow the spread in the ground truth.');
  });
});
