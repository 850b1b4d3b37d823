import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStub, type Stub } from '../stub/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';

// Scoring end to end: a labelled table run through the stub (which answers "A:" + prompt, so
// the prompt `{guess}` makes each answer name the label we chose), checked against an
// independent computation over the rows of the output file.

const LABELS = ['negative', 'neutral', 'positive'];
// [ground truth, guess]: right, wrong, invalid (none or several labels), and a failed request.
const ROWS: [string, string][] = [
  ['positive', 'positive'], ['positive', 'Positive'], ['positive', 'negative'], ['positive', 'no idea'],
  ['negative', 'negative'], ['negative', 'neutral'], ['negative', 'positive or negative'],
  ['neutral', 'neutral'], ['neutral', 'neutral'], ['neutral', 'positive'], ['positive', 'positive'],
  ['neutral', 'FAILME'],
];

let stub: Stub;
const { dir, cleanup } = tempDir();
const input = join(dir, 'labelled.csv');
beforeAll(async () => {
  stub = await startStub({ failPrompts: ['FAILME'], failPromptsStatus: 500 });
  writeFileSync(input, `id,guess,label\n${ROWS.map(([label, guess], i) => `${i},${guess},${label}`).join('\n')}\n`);
});
afterAll(async () => { await stub.close(); cleanup(); });

const env = () => stubEnv(stub, join(dir, 'home'));
const CREATE = ['create', 'labelled.csv', '-p', '{guess}', '-m', 'gpt-4o-mini', '-c', '1', '--max-retries', '0', '--ground-truth', 'label', '--choices', LABELS.join(',')];

/** The figures computed here, with plain JavaScript over the output rows: what the answer names (after "A:"), compared with the label. */
function independent(rows: Record<string, unknown>[]) {
  const scored = rows.filter((r) => r.prediction_status === 'answered' || r.prediction_status === 'cached');
  const predicted = (r: Record<string, unknown>) => {
    const said = String(r.prediction).replace(/^A:/, '').toLowerCase();
    const named = LABELS.filter((l) => new RegExp(`\\b${l}\\b`).test(said));
    return named.length === 1 ? named[0] : null;
  };
  const pairs = scored.map((r) => [String(r.label), predicted(r)] as const);
  const perLabel = LABELS.map((label) => {
    const tp = pairs.filter(([t, p]) => t === label && p === label).length;
    const predictedCount = pairs.filter(([, p]) => p === label).length;
    const support = pairs.filter(([t]) => t === label).length;
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    return { label, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  const total = pairs.length;
  const avg = (key: 'precision' | 'recall' | 'f1') => perLabel.reduce((s, l) => s + l[key], 0) / perLabel.length;
  const weighted = (key: 'precision' | 'recall' | 'f1') => perLabel.reduce((s, l) => s + l[key] * l.support, 0) / total;
  return {
    accuracy: pairs.filter(([t, p]) => t === p).length / total,
    invalid: pairs.filter(([, p]) => p === null).length,
    failed: rows.filter((r) => r.prediction_status === 'failed').length,
    perLabel,
    macro: [avg('precision'), avg('recall'), avg('f1')],
    weighted: [weighted('precision'), weighted('recall'), weighted('f1')],
    matrix: LABELS.map((t) => LABELS.map((p) => pairs.filter(([a, b]) => a === t && b === p).length)),
    correct: rows.map((r) => (r.prediction_status === 'failed' ? null : String(predicted(r) === r.label))),
  };
}

it('create --ground-truth: metrics equal an independent computation over the output; score gives the same with no request', async () => {
  const created = await runCli([...CREATE, '--json'], { cwd: dir, env: env() });
  expect(created.code, created.stderr).toBe(3); // the FAILME row failed; the others are scored
  const job = JSON.parse(created.stdout);
  const metrics = job.metrics.gpt_4o_mini;
  const rows = (await readTable(join(dir, 'labelled.prediction.csv'))).rows;
  const expected = independent(rows);

  expect(expected.failed).toBe(1);
  expect(metrics.counts).toMatchObject({ rows: 12, scored: 11, failed: 1, not_run: 0, invalid: expected.invalid, no_ground_truth: 0 });
  expect(expected.invalid).toBe(2);
  expect(metrics.accuracy).toBeCloseTo(expected.accuracy, 12);
  expect(metrics.classification.labels).toEqual(LABELS);
  metrics.classification.per_label.forEach((s: Record<string, number>, i: number) => {
    for (const key of ['precision', 'recall', 'f1', 'support'] as const) expect(s[key], `${LABELS[i]} ${key}`).toBeCloseTo(expected.perLabel[i][key], 12);
  });
  const m = metrics.classification;
  expect([m.macro_avg.precision, m.macro_avg.recall, m.macro_avg.f1].map((x: number, i: number) => x - expected.macro[i]).every((d: number) => Math.abs(d) < 1e-12)).toBe(true);
  expect([m.weighted_avg.precision, m.weighted_avg.recall, m.weighted_avg.f1].map((x: number, i: number) => x - expected.weighted[i]).every((d: number) => Math.abs(d) < 1e-12)).toBe(true);
  expect(m.confusion.matrix).toEqual(expected.matrix);
  expect(rows.map((r) => r.prediction_correct)).toEqual(expected.correct);
  expect(created.stderr).toMatch(/accuracy {4}0\.5455 \(6 correct of 11 scored; 2 invalid, counted wrong\)/);
  expect(created.stderr).toContain('confusion matrix (rows: ground truth, columns: predicted)');

  const paid = stub.stats().paid;
  const byJob = await runCli(['score', job.id, '--json'], { cwd: dir, env: env() });
  expect(byJob.code, byJob.stderr).toBe(0);
  expect(JSON.parse(byJob.stdout)).toEqual(job.metrics);
  const byFile = await runCli(['score', 'labelled.prediction.csv', '--ground-truth', 'label', '--choices', LABELS.join(','), '--json'], { cwd: dir, env: env() });
  expect(byFile.code, byFile.stderr).toBe(0);
  expect(JSON.parse(byFile.stdout)).toEqual({ prediction: metrics });
  expect(stub.stats().paid).toBe(paid);
});

it('--fail-under accuracy=1.0 on an imperfect run exits 5 naming the metric, and writes the step summary', async () => {
  const summary = join(dir, 'summary.md');
  writeFileSync(summary, '# before\n');
  const result = await runCli([...CREATE, '-o', 'gated.csv', '--fail-under', 'accuracy=1.0', '--fail-under', 'macro_f1=0.1'], {
    cwd: dir, env: { ...env(), GITHUB_STEP_SUMMARY: summary },
  });
  expect(result.code, result.stderr).toBe(5);
  expect(result.stderr.split('\n').filter((l) => l.startsWith('evalctl:'))).toEqual(['evalctl: accuracy 0.5455 is below --fail-under accuracy=1.']);
  const text = readFileSync(summary, 'utf8');
  expect(text.startsWith('# before\n')).toBe(true);
  expect(text).toContain('| variant | accuracy | macro F1 | weighted F1 | scored | correct | invalid | failed | not run | conformance | pass rate |');
  expect(text).toContain('| gpt_4o_mini | 0.5455 |');
  expect(text).toContain('confusion matrix');
  expect(text).toContain(join(dir, 'gated.csv'));

  const scored = await runCli(['score', 'gated.csv', '--ground-truth', 'label', '--fail-under', 'accuracy=0.5'], { cwd: dir, env: env() });
  // Without --choices the answers ("A:positive") name no label as they are: every one is wrong.
  expect(scored.code, scored.stderr).toBe(5);
  expect(scored.stderr).toContain('evalctl: accuracy 0 is below --fail-under accuracy=0.5.');
});

it('score --evaluator and --junit write a new file and a report, never the input', async () => {
  const before = readFileSync(join(dir, 'labelled.prediction.csv'), 'utf8');
  const result = await runCli(['score', 'labelled.prediction.csv', '--evaluator', 'regex:^A:(positive|negative|neutral)$', '--junit', 'report.xml', '--json'], { cwd: dir, env: env() });
  expect(result.code, result.stderr).toBe(0);
  expect(readFileSync(join(dir, 'labelled.prediction.csv'), 'utf8')).toBe(before);
  const copy = (await readTable(join(dir, 'labelled.prediction.scored.csv'))).rows;
  expect(copy.map((r) => r.prediction_regex_pass)).toEqual(ROWS.map(([, guess]) => (guess === 'FAILME' ? null : String(/^(positive|negative|neutral)$/.test(guess)))));
  expect(JSON.parse(result.stdout).prediction.evaluators[0]).toMatchObject({ name: 'regex', evaluated: 11, passed: 8, pass_rate: 8 / 11 });
  const xml = readFileSync(join(dir, 'report.xml'), 'utf8');
  expect(xml.match(/<testcase /g)).toHaveLength(12);
  expect(xml.match(/<failure /g)).toHaveLength(4); // 3 rows the regex refuses + the failed request
});
