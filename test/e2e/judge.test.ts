// LLM judges end to end: the real CLI against the in-process stub, whose `answer` function
// answers the job's prompts as usual ("A:" + prompt) and the judge's prompts with verdicts
// scripted per row, so every judge cell, count and token can be checked against the script.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRICES } from '../../src/core/pricing.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubTokens } from '../helpers/create.js';
import { errorLines } from '../helpers/faults.js';
import { PROMPT, promptFor, reviewsCsv, stubEnv } from '../helpers/jobs.js';
import { checkCases, readJunit } from '../helpers/junit.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

const temp = tempDir();
const stubs: Stub[] = [];
afterAll(async () => {
  await Promise.all(stubs.map((stub) => stub.close()));
  temp.cleanup();
});

let cases = 0;
async function bench(rows: number, answer: (prompt: string) => string) {
  const stub = await startStub({ answer });
  stubs.push(stub);
  const root = join(temp.dir, `case${++cases}`);
  mkdirSync(root);
  const input = await reviewsCsv(root, 'reviews.csv', rows);
  return { stub, root, input, env: stubEnv(stub, join(root, 'home')) };
}

const cost = (model: string, prompt: number, completion: number) => (prompt * PRICES[model].input + completion * PRICES[model].output) / 1e6;

describe('--judge', () => {
  // Per row: what the judge says, and the cells it should give [score, reason, pass, error].
  const SCRIPT: [string, [number | null, string | null, boolean | null, RegExp | null]][] = [
    ['{"score": 5, "reason": "spot on"}', [5, 'spot on', true, null]],
    ['Sure.\n```json\n{"score": 2, "reason": "off topic"}\n```', [2, 'off topic', false, null]],
    ['Score: 3', [3, null, true, null]],
    ['4', [4, null, true, null]],
    ['I cannot grade this.', [null, null, null, /no score in the judge's answer "I cannot grade this\."/]],
    ['Score: 9', [null, null, null, /outside the scale 1-5/]],
  ];
  const RUBRIC = 'JUDGE row {id}: {review} => {prediction}';
  const judgePrompt = (i: number) => `JUDGE row ${i}: review ${i} => ${stubAnswer(promptFor(i))}`;
  const script = (prompt: string) => {
    const row = /^JUDGE row (\d+):/.exec(prompt);
    return row ? SCRIPT[Number(row[1])][0] : stubAnswer(prompt);
  };

  it('writes score, reason, pass and error per row as the judge said; reports its spend apart; a missed pass_rate:judge gate exits 5', async () => {
    const { stub, root, input, env } = await bench(SCRIPT.length, script);
    const output = join(root, 'out.parquet');
    const result = await runCli(['create', input, '-p', PROMPT, '-m', 'gpt-4o-mini', '--judge', RUBRIC, '--judge-model', 'gpt-4o', '-o', output,
      '--fail-under', 'pass_rate:judge=1.0', '--fail-under', 'judge_score=3.5', '--json'], { cwd: root, env });
    expect(result.code, result.stderr).toBe(5);
    expect(errorLines(result.stderr)).toEqual(['evalctl: pass_rate:judge 0.5 is below --fail-under pass_rate:judge=1.']);

    const { rows, columns } = await readTable(output);
    expect(columns.map((c) => c.name)).toEqual(['id', 'review', 'prediction', 'prediction_status', 'prediction_error',
      'prediction_judge_score', 'prediction_judge_reason', 'prediction_judge_pass', 'prediction_judge_error']);
    rows.forEach((row, i) => {
      const [score, reason, pass, error] = SCRIPT[i][1];
      expect(row.prediction, `row ${i}`).toBe(stubAnswer(promptFor(i)));
      expect([row.prediction_judge_score, row.prediction_judge_reason, row.prediction_judge_pass], `row ${i}`).toEqual([score, reason, pass]);
      if (error) expect(row.prediction_judge_error, `row ${i}`).toMatch(error);
      else expect(row.prediction_judge_error, `row ${i}`).toBeNull();
    });

    // Each answer and each judge prompt paid once, to its own model.
    const judgePrompts = SCRIPT.map((_, i) => judgePrompt(i));
    expect(stub.stats().paidByModel).toEqual({
      'gpt-4o-mini': Object.fromEntries(SCRIPT.map((_, i) => [promptFor(i), 1])),
      'gpt-4o': Object.fromEntries(judgePrompts.map((p) => [p, 1])),
    });

    const job = JSON.parse(result.stdout);
    const answerPrompt = SCRIPT.reduce((sum, _, i) => sum + stubTokens(promptFor(i)), 0);
    const answerCompletion = SCRIPT.reduce((sum, _, i) => sum + stubTokens(stubAnswer(promptFor(i))), 0);
    const judgePromptTokens = judgePrompts.reduce((sum, p) => sum + stubTokens(p), 0);
    const judgeCompletion = SCRIPT.reduce((sum, [said]) => sum + stubTokens(said), 0);
    expect(job).toMatchObject({ prompt_tokens_used: answerPrompt, completion_tokens_used: answerCompletion });
    expect(job.cost_usd).toBeCloseTo(cost('gpt-4o-mini', answerPrompt, answerCompletion), 12);
    expect(job.judge_usage).toMatchObject({ judged: 6, failed: 0, prompt_tokens: judgePromptTokens, completion_tokens: judgeCompletion });
    expect(job.judge_usage.cost_usd).toBeCloseTo(cost('gpt-4o', judgePromptTokens, judgeCompletion), 12);
    expect(result.stderr).toContain(`judge      6 verdicts, 0 failed; ${judgePromptTokens} prompt + ${judgeCompletion} completion tokens`);
    expect(result.stderr).toContain(`tokens     ${answerPrompt} prompt + ${answerCompletion} completion`);

    // 3 of 6 answered rows pass (scores 5, 3, 4); two have no score; the mean is over the four scores.
    expect(job.metrics.gpt_4o_mini.evaluators).toEqual([{ name: 'judge', evaluated: 6, passed: 3, errors: 2, pass_rate: 0.5, mean_score: 3.5, first_error: expect.stringMatching(/^no score in the judge's answer "I cannot grade this\."$/) }]);
    expect(result.stderr).toContain(`judge: first error: no score in the judge's answer "I cannot grade this."`);
    expect(result.stderr).toMatch(/judge\s+0\.5000\s+3\s+6\s+2\s+3\.5000/);
    expect(job.settings.judge).toMatchObject({ name: 'custom', model: 'gpt-4o', scale: [1, 5], pass_threshold: 3, prompt: RUBRIC });
  });

  it('score <job> reports and gates on the judge as create did, with no request; score <file> reads the judge columns', async () => {
    const { stub, root, input, env } = await bench(SCRIPT.length, script);
    const created = await runCli(['create', input, '-p', PROMPT, '-m', 'gpt-4o-mini', '--judge', RUBRIC, '--judge-model', 'gpt-4o', '-o', join(root, 'out.parquet'), '--junit', 'created.xml', '--json'], { cwd: root, env });
    expect(created.code, created.stderr).toBe(0);
    const job = JSON.parse(created.stdout);
    const paid = stub.stats().paid;

    // JUnit: a judge test case per row, failing with the judge's score and reason, an error where it gave none.
    const judgeCases = SCRIPT.map(([, [score, reason, pass, error]], i) => [`row ${i}`,
      error ? 'error' : pass ? 'pass' : 'failure',
      error ? expect.stringMatching(new RegExp(`^the judge gave no score: .*${error.source}`)) : pass ? null : `the judge scored ${score}: ${reason}`]);
    expect(checkCases(readJunit(readFileSync(join(root, 'created.xml'), 'utf8')), 'gpt_4o_mini', 'judge')).toEqual(judgeCases);
    expect(judgeCases.slice(0, 2)).toEqual([['row 0', 'pass', null], ['row 1', 'failure', 'the judge scored 2: off topic']]);

    const scored = await runCli(['score', job.id, '--json', '--junit', 'scored.xml'], { cwd: root, env });
    expect(scored.code, scored.stderr).toBe(0);
    expect(readFileSync(join(root, 'scored.xml'), 'utf8')).toBe(readFileSync(join(root, 'created.xml'), 'utf8'));
    expect(JSON.parse(scored.stdout)).toEqual(job.metrics);
    expect(scored.stderr).toMatch(/judge\s+0\.5000\s+3\s+6\s+2\s+3\.5000/);

    const gated = await runCli(['score', job.id, '--fail-under', 'judge_score=3.6', '--fail-under', 'pass_rate:judge=0.5'], { cwd: root, env });
    expect(gated.code, gated.stderr).toBe(5);
    expect(errorLines(gated.stderr)).toEqual(['evalctl: judge_score 3.5 is below --fail-under judge_score=3.6.']);
    const passing = await runCli(['score', job.id, '--fail-under', 'judge_score=3.5', '--fail-under', 'pass_rate:judge=0.5'], { cwd: root, env });
    expect(passing.code, passing.stderr).toBe(0);

    // The output file alone: its judge columns give the same figures.
    const byFile = await runCli(['score', 'out.parquet', '--json', '--fail-under', 'pass_rate:judge=0.6', '--junit', 'file.xml'], { cwd: root, env });
    expect(byFile.code, byFile.stderr).toBe(5);
    expect(checkCases(readJunit(readFileSync(join(root, 'file.xml'), 'utf8')), 'prediction', 'judge')).toEqual(judgeCases);
    expect(JSON.parse(byFile.stdout).prediction.evaluators).toEqual(job.metrics.gpt_4o_mini.evaluators);
    expect(errorLines(byFile.stderr)).toEqual(['evalctl: pass_rate:judge 0.5 is below --fail-under pass_rate:judge=0.6.']);
    expect(stub.stats().paid).toBe(paid);
  });

  it.each([
    ['a job not judged', (id: string) => ['score', id, '--fail-under', 'judge_score=3'], /^evalctl: --fail-under judge_score: job \S+ has no LLM judge's verdicts \(it was not run with --judge\)\.$/],
    ['a file without judge columns', () => ['score', 'out.csv', '--fail-under', 'pass_rate:judge=0.5'], /^evalctl: --fail-under pass_rate:judge: out\.csv has no LLM judge's verdicts \(no prediction_judge_score column\)\.$/],
    ['a job without --pairwise', (id: string) => ['score', id, '--fail-under', 'win_rate:gpt_4o_mini=0.5'], /^evalctl: --fail-under win_rate:gpt_4o_mini: job \S+ was not run with --pairwise\.$/],
  ])('score refuses a judge gate on %s in one line', async (_, args, message) => {
    const { root, input, env } = await bench(2, stubAnswer);
    const created = await runCli(['create', input, '-p', PROMPT, '-m', 'gpt-4o-mini', '-o', join(root, 'out.csv'), '--json'], { cwd: root, env });
    expect(created.code, created.stderr).toBe(0);
    const result = await runCli(args(JSON.parse(created.stdout).id), { cwd: root, env });
    expect(result.code, result.stderr).toBe(2);
    expect(errorLines(result.stderr)).toHaveLength(1);
    expect(errorLines(result.stderr)[0]).toMatch(message);
  });

  it('one --max-cost covers answers and judge calls: judging stops at the budget, and resume finishes it paying no verdict twice', async () => {
    const LONG = 'x'.repeat(4000); // 1,000 completion tokens: $0.01 a verdict with gpt-4o
    const { stub, root, input, env } = await bench(20, (prompt) => (prompt.startsWith('JUDGE') ? `{"score": 4, "reason": "${LONG}"}` : stubAnswer(prompt)));
    const args = ['create', input, '-p', PROMPT, '-m', 'gpt-4o-mini', '--judge', RUBRIC, '--judge-model', 'gpt-4o', '-c', '1', '-o', join(root, 'out.parquet'), '--max-cost', '0.05', '--json'];
    const stopped = await runCli(args, { cwd: root, env });
    expect(stopped.code, stopped.stderr).toBe(4);
    const job = JSON.parse(stopped.stdout);
    expect(job).toMatchObject({ status: 'cancelled', stop_reason: 'budget', progress: { processed: 20 } });
    expect(job.judge_usage.judged).toBeGreaterThan(0);
    expect(job.judge_usage.judged).toBeLessThan(20);
    expect(job.cost_usd + job.judge_usage.cost_usd).toBeLessThanOrEqual(0.05);

    const resumed = await runCli(['resume', job.id, '--max-cost', '1', '--json'], { cwd: root, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).judge_usage).toMatchObject({ judged: 20, failed: 0 });
    const judged = stub.stats().paidByModel['gpt-4o'];
    expect(Object.keys(judged)).toHaveLength(20);
    expect(Object.values(judged).every((n) => n === 1)).toBe(true);
  });

  it('a completed job whose judge calls failed resumes, asking only those again', async () => {
    const { stub, root, input, env } = await bench(4, (prompt) => (prompt.startsWith('JUDGE') ? '{"score": 4}' : stubAnswer(prompt)));
    stub.configure({ failPrompts: ['JUDGE row 2:'] });
    const first = await runCli(['create', input, '-p', PROMPT, '-m', 'gpt-4o-mini', '--judge', RUBRIC, '-o', join(root, 'out.csv'), '--json'], { cwd: root, env });
    const job = JSON.parse(first.stdout);
    expect(job).toMatchObject({ status: 'completed', failed_rows: 0, judge_usage: { judged: 3, failed: 1 } });
    stub.configure({ failPrompts: undefined });
    const resumed = await runCli(['resume', job.id, '--json'], { cwd: root, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).judge_usage).toMatchObject({ judged: 4, failed: 0 });
    for (let i = 0; i < 4; i++) expect(stub.paidCount(judgePrompt(i)), `row ${i}`).toBe(1);
    expect((await readTable(join(root, 'out.csv'))).rows.map((r) => r.prediction_judge_score)).toEqual(['4.0', '4.0', '4.0', '4.0']);
  });

  it.each([
    [['--judge', 'relevance', '--judge-scale', '5-1'], /--judge-scale "5-1" is not <low>-<high>/],
    [['--judge', 'correctness'], /compares with \{ground_truth\}: add --ground-truth/],
    [['--judge', 'faithfulness'], /reads \{context\}: name the column with --judge-context/],
    [['--judge', 'Rate {review}'], /has no \{prediction\} placeholder/],
    [['--judge', 'relevancy'], /--judge "relevancy" is not a rubric evalctl ships/],
    [['--judge', 'relevance', '--pass-threshold', '7'], /--pass-threshold 7 is outside the judge's scale 1-5/],
    [['--pairwise', 'pairwise'], /--pairwise compares exactly two variants; this job has 1/],
    [['--judge', 'relevance', '--fail-under', 'win_rate:x=0.5'], /--fail-under win_rate:x needs --pairwise/],
  ])('refuses %j before any request', async (flags, message) => {
    const { stub, root, input, env } = await bench(2, stubAnswer);
    const result = await runCli(['create', input, '-p', PROMPT, '-m', 'gpt-4o-mini', ...flags], { cwd: root, env });
    expect(result.code, result.stderr).toBe(2);
    expect(errorLines(result.stderr)[0]).toMatch(message);
    expect(stub.stats().requests).toBe(0);
  });
});

describe('--pairwise', () => {
  // Per row, what the judge prefers: the answer to prompt X, to prompt Y, whichever is shown
  // first (so the two orders disagree: a tie), a tie, or nothing readable.
  const PREFERS = ['X', 'Y', 'first', 'tie', 'X', 'garbage'] as const;
  const script = (prompt: string) => {
    const match = /^PAIR (\d+): \[A\] (.*) \[B\] (.*)$/.exec(prompt);
    if (!match) return stubAnswer(prompt);
    const want = PREFERS[Number(match[1])];
    if (want === 'garbage') return 'Both have merits.';
    const verdict = want === 'first' ? 'A' : want === 'tie' ? 'tie' : match[2].startsWith(`A:${want} `) ? 'A' : 'B';
    return Number(match[1]) % 2 ? `Verdict: ${verdict}` : `{"verdict": "${verdict}", "reason": "because"}`;
  };

  it('judges each row in both orders; wins, ties and losses per variant; a missed win_rate gate exits 5', async () => {
    const { stub, root, input, env } = await bench(PREFERS.length, script);
    const output = join(root, 'out.parquet');
    const result = await runCli(['create', input, '-p', 'X {review}', '-p', 'Y {review}', '-m', 'gpt-4o-mini', '-o', output,
      '--pairwise', 'PAIR {id}: [A] {answer_a} [B] {answer_b}', '--fail-under', 'win_rate:p2=0.5', '--fail-under', 'win_rate:p1=0.5', '--junit', 'report.xml', '--json'], { cwd: root, env });
    expect(result.code, result.stderr).toBe(5);
    // JUnit: a pairwise test case per row and variant; a loss fails naming the winner, a tie passes.
    const suites = readJunit(readFileSync(join(root, 'report.xml'), 'utf8'));
    const lost = (to: string) => ['failure', `the judge preferred ${to} in both orders`];
    const notJudged = ['skipped', 'not judged in both orders'];
    const won = ['pass', null];
    expect(checkCases(suites, 'p1', 'pairwise')).toEqual([won, lost('p2'), won, won, won, notJudged].map((c, i) => [`row ${i}`, ...c]));
    expect(checkCases(suites, 'p2', 'pairwise')).toEqual([lost('p1'), won, won, won, lost('p1'), notJudged].map((c, i) => [`row ${i}`, ...c]));
    expect(errorLines(result.stderr)).toEqual(['evalctl: win_rate:p2 0.4 is below --fail-under win_rate:p2=0.5 (variant p2).']);

    const { rows } = await readTable(output);
    expect(rows.map((r) => r.prediction_pairwise_winner)).toEqual(['p1', 'p2', 'tie', 'tie', 'p1', null]);
    const job = JSON.parse(result.stdout);
    expect(job.metrics.p1.pairwise).toEqual({ opponent: 'p2', judged: 5, wins: 2, ties: 2, losses: 1, errors: 1, win_rate: 0.6 });
    expect(job.metrics.p2.pairwise).toEqual({ opponent: 'p1', judged: 5, wins: 1, ties: 2, losses: 2, errors: 1, win_rate: 0.4 });
    expect(result.stderr).toContain('pairwise   p1: 2 won, 2 tied, 1 lost against p2 (win rate 0.6000; 1 rows not judged)');
    expect(result.stderr).toContain('pairwise   p2: 1 won, 2 tied, 2 lost against p1 (win rate 0.4000; 1 rows not judged)');

    // Two calls per row (A/B, then B/A), each paid once; the answers once per variant.
    const paid = stub.stats().paidByPrompt;
    const pairPrompts = Object.keys(paid).filter((p) => p.startsWith('PAIR '));
    expect(pairPrompts).toHaveLength(PREFERS.length * 2);
    expect(Object.values(paid).every((n) => n === 1)).toBe(true);
    for (let i = 0; i < PREFERS.length; i++) {
      const [x, y] = [stubAnswer(`X review ${i}`), stubAnswer(`Y review ${i}`)];
      expect(paid[`PAIR ${i}: [A] ${x} [B] ${y}`]).toBe(1);
      expect(paid[`PAIR ${i}: [A] ${y} [B] ${x}`]).toBe(1);
    }
    expect(job.pairwise_usage).toMatchObject({ judged: 12, failed: 0 });

    // Re-scored without a request: the same record and gate; a file cannot give win rates.
    const requests = stub.stats().requests;
    const scored = await runCli(['score', job.id, '--json', '--fail-under', 'win_rate:p2=0.5'], { cwd: root, env });
    expect(scored.code, scored.stderr).toBe(5);
    expect(JSON.parse(scored.stdout)).toEqual(job.metrics);
    expect(errorLines(scored.stderr)).toEqual(['evalctl: win_rate:p2 0.4 is below --fail-under win_rate:p2=0.5 (variant p2).']);
    expect(scored.stderr).toContain('pairwise   p1: 2 won, 2 tied, 1 lost against p2 (win rate 0.6000; 1 rows not judged)');
    const byFile = await runCli(['score', output, '--fail-under', 'win_rate:p2=0.5'], { cwd: root, env });
    expect(byFile.code, byFile.stderr).toBe(2);
    expect(errorLines(byFile.stderr)).toEqual(['evalctl: --fail-under win_rate:p2 is not supported on a file: win rates are read from the job\'s pairwise log.']);
    expect(stub.stats().requests).toBe(requests);
  });
});
