// The judges' share of `create --dry-run` and of --batch-api's --max-cost, through the real CLI:
// the estimate's calls are checked against what a real run of the same job then asks the stub,
// and its prompt tokens against the usage the stub reports for those calls.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv } from '../helpers/create.js';
import { PROMPT, reviewsCsv } from '../helpers/jobs.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

const temp = tempDir();
const stubs: Stub[] = [];
afterAll(async () => {
  await Promise.all(stubs.map((stub) => stub.close()));
  temp.cleanup();
});

const ROWS = 12;
// The shipped rubrics open with these words; their verdicts are about the length a judge writes.
const verdicts = (prompt: string) => {
  if (prompt.startsWith('You are grading')) return '{"score": 4, "reason": "The answer names a class for the review it was given."}';
  if (prompt.startsWith('You are comparing')) return '{"verdict": "A", "reason": "Answer A is as correct and a little more direct."}';
  return stubAnswer(prompt);
};

let cases = 0;
async function bench() {
  const stub = await startStub({ answer: verdicts });
  stubs.push(stub);
  const root = join(temp.dir, `case${++cases}`);
  mkdirSync(root);
  const input = await reviewsCsv(root, 'reviews.csv', ROWS);
  const env = { ...stubEnv(stub, 'openai', join(root, 'home')), EVALCTL_BATCH_POLL_MS: '50' };
  const cli = (args: string[]) => runCli(['create', input, '-p', PROMPT, ...args], { cwd: root, env });
  /** Judge requests the stub was paid for, by the judge model. */
  const judgeCalls = (model: string) => Object.values(stub.stats().paidByModel[model] ?? {}).reduce((sum, n) => sum + n, 0);
  return { stub, root, cli, judgeCalls };
}

describe('create --dry-run with judges', () => {
  it.each([
    // Two prompts, so the two variants' answers (and so the judge prompts) differ: identical prompts would be asked once.
    ['--judge', ['-m', 'gpt-4o-mini', '-p', 'Label: {review}', '--judge', 'relevance', '--judge-model', 'gpt-4o'], 'judge', 'judge_usage', ROWS * 2],
    ['--pairwise', ['-m', 'gpt-4o-mini', '-p', 'Label: {review}', '--pairwise', 'pairwise', '--judge-model', 'gpt-4o'], 'pairwise', 'pairwise_usage', ROWS * 2],
  ])('%s: the estimate\'s calls are the judge requests a real run makes, its prompt tokens near the usage reported', async (_, flags, key, usage, calls) => {
    const { stub, cli, judgeCalls } = await bench();
    const dry = await cli([...flags, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const report = JSON.parse(dry.stdout);
    const estimate = report[key];
    expect(estimate).toMatchObject({ model: 'gpt-4o', calls, input_tokens_method: 'tokenizer', measured_rows: ROWS, output_tokens_per_call: { low: 20, high: 200 } });
    // The answers' fields are as before; the totals add the judge's range to theirs.
    expect(report.total_cost_usd.low).toBeCloseTo(report.cost_usd.low + estimate.cost_usd.low, 12);
    expect(report.total_cost_usd.high).toBeCloseTo(report.cost_usd.high + estimate.cost_usd.high, 12);
    expect(stub.stats().requests).toBe(0);

    const real = await cli([...flags, '-o', 'out.csv', '--json']);
    expect(real.code, real.stderr).toBe(0);
    const job = JSON.parse(real.stdout);
    expect(judgeCalls('gpt-4o')).toBe(estimate.calls);
    expect(job[usage].judged).toBe(estimate.calls);
    // The stub's answers are short, as the low end assumes; the stub counts four characters a token.
    expect(job[usage].prompt_tokens).toBeGreaterThan(estimate.input_tokens.low * 0.75);
    expect(job[usage].prompt_tokens).toBeLessThan(estimate.input_tokens.low * 1.33);
    expect(job[usage].prompt_tokens).toBeLessThan(estimate.input_tokens.high);
    expect(job[usage].completion_tokens).toBeGreaterThanOrEqual(calls * 10);
    expect(job[usage].completion_tokens).toBeLessThanOrEqual(calls * 200);
  });

  it('prints the judge and pairwise lines apart from the answers, and the total with them', async () => {
    const { cli } = await bench();
    const text = await cli(['-m', 'gpt-4o-mini', '-m', 'gpt-4.1-nano', '--judge', 'relevance', '--pairwise', 'pairwise', '--judge-model', 'gpt-4o', '--batch-api', '--dry-run']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^ {2}judge {10}24 calls, ~[\d,]+ to [\d,]+ input tokens, 20 to 200 output tokens a call \(assumed\), \$\S+ to \$\S+ live, \$\S+ to \$\S+ at batch prices with gpt-4o$/m);
    expect(text.stderr).toMatch(/^ {2}pairwise {7}24 calls, ~[\d,]+ to [\d,]+ input tokens, .* with gpt-4o$/m);
    expect(text.stderr).toMatch(/^ {2}total cost {5}\$\S+ to \$\S+ live, \$\S+ to \$\S+ at batch prices for 2 variants, judges included$/m);
  });
});

describe('--batch-api --max-cost with a judge', () => {
  it('refuses, sending nothing, a job whose answers fit the budget but answers and judges do not', async () => {
    const { stub, cli } = await bench();
    const flags = ['-m', 'gpt-4o-mini', '--max-tokens', '10', '--judge', 'relevance', '--judge-model', 'gpt-4o', '--batch-api'];
    const report = JSON.parse((await cli([...flags, '--dry-run', '--json'])).stdout);
    const answers = report.batch_cost_usd.high;
    const total = report.total_batch_cost_usd.high;
    expect(total).toBeGreaterThan(answers * 2);
    const budget = ((answers + total) / 2).toFixed(6);

    const over = await cli([...flags, '--max-cost', budget, '-o', 'over.csv']);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(new RegExp(`^evalctl: --batch-api with --max-cost \\$${budget.replace('.', '\\.')}: this job may cost \\$\\S+ to \\$\\S+ at batch prices \\(judges \\$\\S+ to \\$\\S+ of it\\), and a provider batch cannot be stopped at the budget\\. Nothing was sent\\.$`, 'm'));
    expect(stub.stats().requests).toBe(0);

    // Without the judge the same budget holds the job: it was the judges that did not fit.
    const answersOnly = await cli([...flags.slice(0, 4), '--batch-api', '--max-cost', budget, '-o', 'fits.csv', '--json']);
    expect(answersOnly.code, answersOnly.stderr).toBe(0);
    expect(stub.stats().batches.requests).toBe(ROWS);
  });
});
