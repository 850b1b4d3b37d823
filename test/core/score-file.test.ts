import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scoreFile } from '../../src/core/score/score-file.js';
import { resolveScoring, type ScoringRequest } from '../../src/core/score/scoring.js';
import { tempDir } from '../helpers/cli.js';
import { readTable } from '../helpers/table.js';

const { dir, cleanup } = tempDir('evalctl-score-');
afterAll(cleanup);
let n = 0;

/** Scores a CSV written from `lines` with the given flags; the prediction column is `p` (with `p_status` when present). */
async function score(lines: string[], flags: Omit<ScoringRequest, 'cwd'>, output = false) {
  const path = join(dir, `t${++n}.csv`);
  writeFileSync(path, lines.join('\n') + '\n');
  const hasStatus = lines[0].split(',').includes('p_status');
  const out = output ? join(dir, `t${n}.scored.csv`) : null;
  const result = await scoreFile({ path, targets: [{ name: 'p', prediction: 'p', status: hasStatus ? 'p_status' : null }], scoring: resolveScoring({ ...flags, cwd: dir })!, output: out });
  return { metrics: result.metrics.p, out, path };
}

describe('scoreFile', () => {
  it('counts failed, not-run and unlabelled rows apart; invalid answers count wrong', async () => {
    const { metrics } = await score([
      'id,label,p,p_status',
      '0,yes,Yes.,answered',
      '1,no,yes,cached',
      '2,yes,,failed',
      '3,no,,not_run',
      '4,,no,answered',
      '5,yes,dunno,answered',
    ], { groundTruth: 'label', choices: 'yes,no' });
    expect(metrics.counts).toEqual({ rows: 6, answered: 4, failed: 1, not_run: 1, no_ground_truth: 1, scored: 3, correct: 1, invalid: 1 });
    expect(metrics.accuracy).toBeCloseTo(1 / 3, 12);
    expect(metrics.invalid_examples).toEqual([{ row: 5, answer: 'dunno' }]);
    expect(metrics.classification!.confusion).toEqual({ labels: ['no', 'yes'], matrix: [[0, 1], [0, 1]], invalid: [0, 1] });
  });

  it('gives MAE, RMSE and exact matches for a numeric ground truth', async () => {
    const { metrics } = await score(['label,p', '1,1', '2,2.5', '3,about three', '4,"4.0"'], { groundTruth: 'label' });
    expect(metrics.numeric!.rows).toBe(3);
    expect(metrics.numeric!.unparsed).toBe(1);
    expect(metrics.numeric!.mae).toBeCloseTo(0.5 / 3, 12);
    expect(metrics.numeric!.rmse).toBeCloseTo(Math.sqrt(0.25 / 3), 12);
    expect(metrics.numeric!.exact_match_rate).toBe(0.5);
    expect(metrics.accuracy).toBe(0.5);
  });

  it('runs built-in evaluators as columns and tallies pass rates over answered rows', async () => {
    const { metrics, out } = await score(
      ['label,p', '3,3', '5,4.6', '7,{a: 1}', '9,'],
      { groundTruth: 'label', evaluators: ['numeric:0.5', 'json', 'regex:^[0-9]$', 'contains'] },
      true,
    );
    expect(metrics.evaluators.map((e) => [e.name, e.passed, e.evaluated])).toEqual([['numeric', 2, 3], ['json', 2, 3], ['regex', 1, 3], ['contains', 1, 3]]);
    const rows = (await readTable(out!)).rows;
    expect(rows.map((r) => [r.p_correct, r.p_numeric_pass, r.p_json_pass, r.p_regex_pass])).toEqual([
      ['true', 'true', 'true', 'true'], ['false', 'true', 'true', 'false'], ['false', 'false', 'false', 'false'], [null, null, null, null],
    ]);
  });

  it('calls a code evaluator per answered row; a throw is an error on that row and the rest go on', async () => {
    const module = join(dir, 'check.mjs');
    writeFileSync(module, `export default (row, prediction) => {
      if (prediction === 'boom') throw new Error('exploded on ' + row.id);
      if (prediction === 'half') return 0.5;
      if (prediction === 'obj') return { score: 0.2, reason: 'too short' };
      return prediction === row.label;
    };`);
    const { metrics, out, path } = await score(['id,label,p', '0,a,a', '1,a,b', '2,a,boom', '3,a,half', '4,a,obj', '5,a,'], { evaluators: [module] }, true);
    expect(metrics.evaluators).toEqual([{ name: 'check', evaluated: 5, passed: 2, errors: 1, pass_rate: 0.4, mean_score: (1 + 0 + 0.5 + 0.2) / 4, first_error: 'exploded on 2' }]);
    const rows = (await readTable(out!)).rows;
    expect(rows.map((r) => [r.p_check_pass, r.p_check_score, r.p_check_reason, r.p_check_error])).toEqual([
      ['true', '1.0', null, null], ['false', '0.0', null, null], [null, null, null, 'exploded on 2'],
      ['true', '0.5', null, null], ['false', '0.2', 'too short', null], [null, null, null, null],
    ]);
    expect(readFileSync(path, 'utf8')).not.toContain('check');
  });
});
