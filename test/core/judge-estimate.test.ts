import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type Settings } from '../../src/core/config.js';
import { estimateJob } from '../../src/core/estimate.js';
import { estimateJudging, VERDICT_TOKENS } from '../../src/core/judge/estimate.js';
import { attachJudging } from '../../src/core/judge/resolve.js';
import { planJob } from '../../src/core/plan.js';
import { PRICES } from '../../src/core/pricing.js';
import { tempDir } from '../helpers/cli.js';

// The judge and pairwise estimate of `create --dry-run` (and of --batch-api's --max-cost), on a
// small real table planned as `create` plans it. Models outside OpenAI count four characters a
// token, so every prompt's tokens can be worked out here by hand.

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const QUESTIONS = ['What is the capital of France?', 'How many legs has a spider?', 'Why is the sky blue?', 'Name a prime.'];
const csv = join(dir, 'questions.csv');
writeFileSync(csv, `id,question\n${QUESTIONS.map((q, i) => `${i},${q}`).join('\n')}\n`);

const tokens = (text: string) => Math.ceil(text.length / 4);
const perMillion = (price: { input: number; output: number }, input: number, output: number) => (input * price.input + output * price.output) / 1e6;

interface Case { models: string[]; judge?: string; pairwise?: string; judgeModel?: string; sample?: number; maxTokens?: number; batch?: boolean }

async function estimate(c: Case) {
  const settings: Settings = { ...DEFAULTS, ...(c.maxTokens ? { maxTokens: c.maxTokens } : {}) };
  const plan = await planJob({ source: csv, models: c.models, prompts: ['Q: {question}'], sample: c.sample, dryRun: true, settings, env: {}, cwd: dir });
  try {
    attachJudging(plan, { judge: c.judge, pairwise: c.pairwise, judgeModel: c.judgeModel, gates: [], needKeys: false, settings, env: {}, cwd: dir });
    const answers = await estimateJob(plan.dataset, plan.record);
    return { answers, judges: await estimateJudging(plan.dataset, plan.record, answers) };
  } finally {
    plan.dataset.close();
  }
}

const RUBRIC = 'Grade {id} ({question}): {prediction}';
/** The judge prompt of a row with an empty answer, as the judge would get it with the answer left out. */
const judgePrompt = (i: number) => `Grade ${i} (${QUESTIONS[i]}): `;
const PAIRWISE = 'Which answers {question} better? A: {answer_a} B: {answer_b}';
const pairwisePrompt = (i: number) => `Which answers ${QUESTIONS[i]} better? A:  B: `;

describe('estimateJudging', () => {
  it('--judge: one call per row and variant (three variants), each quoting its answer at the assumed low and high lengths', async () => {
    const { judges } = await estimate({ models: ['claude-haiku-4-5', 'claude-3-5-haiku', 'claude-3-haiku'], judge: RUBRIC, judgeModel: 'claude-sonnet-4-5' });
    const rubric = QUESTIONS.reduce((sum, _, i) => sum + tokens(judgePrompt(i)), 0) * 3;
    const calls = QUESTIONS.length * 3;
    const input = { low: rubric + calls * 5, high: rubric + calls * 256 };
    expect(judges).toEqual([{
      kind: 'judge', model: 'claude-sonnet-4-5', calls, method: 'characters', measuredRows: 4,
      inputTokens: input, outputTokensPerCall: VERDICT_TOKENS,
      cost: { low: expect.closeTo(perMillion(PRICES['claude-sonnet-4-5'], input.low, calls * 20), 12), high: expect.closeTo(perMillion(PRICES['claude-sonnet-4-5'], input.high, calls * 200), 12) },
      batchCost: { low: expect.closeTo(perMillion(PRICES['claude-sonnet-4-5'], input.low, calls * 20) / 2, 12), high: expect.closeTo(perMillion(PRICES['claude-sonnet-4-5'], input.high, calls * 200) / 2, 12) },
    }]);
  });

  it('--pairwise: two calls per row (both orders), each quoting both answers; --max-tokens bounds the answers quoted', async () => {
    const { judges } = await estimate({ models: ['claude-haiku-4-5', 'claude-3-haiku'], pairwise: PAIRWISE, judgeModel: 'claude-haiku-4-5', maxTokens: 10 });
    const rubric = QUESTIONS.reduce((sum, _, i) => sum + tokens(pairwisePrompt(i)), 0) * 2;
    const calls = QUESTIONS.length * 2;
    expect(judges).toMatchObject([{ kind: 'pairwise', model: 'claude-haiku-4-5', calls, inputTokens: { low: rubric + calls * 10, high: rubric + calls * 20 } }]);
  });

  it('--judge and --pairwise together: the judge first, then pairwise; the judge model defaults to the first variant\'s', async () => {
    const { judges } = await estimate({ models: ['claude-haiku-4-5', 'claude-3-haiku'], judge: RUBRIC, pairwise: PAIRWISE });
    expect(judges.map((j) => [j.kind, j.model, j.calls])).toEqual([['judge', 'claude-haiku-4-5', 8], ['pairwise', 'claude-haiku-4-5', 8]]);
  });

  it('--sample: only the sampled rows are judged', async () => {
    const { judges } = await estimate({ models: ['claude-haiku-4-5', 'claude-3-haiku', 'claude-3-5-haiku'], judge: RUBRIC, sample: 2 });
    expect(judges).toMatchObject([{ calls: 6, measuredRows: 2, inputTokens: { low: (tokens(judgePrompt(0)) + tokens(judgePrompt(1))) * 3 + 6 * 5 } }]);
  });

  it('a judge model without a price: calls and tokens, cost null live and at batch prices', async () => {
    const { judges } = await estimate({ models: ['claude-haiku-4-5'], judge: RUBRIC, judgeModel: 'openai:my-local-judge' });
    expect(judges).toMatchObject([{ model: 'my-local-judge', calls: 4, cost: null, batchCost: null }]);
  });

  it('an OpenAI judge is counted with its tokenizer; no judge, no estimate', async () => {
    const { judges } = await estimate({ models: ['claude-haiku-4-5'], judge: RUBRIC, judgeModel: 'gpt-4o' });
    expect(judges[0].method).toBe('tokenizer');
    expect((await estimate({ models: ['claude-haiku-4-5'] })).judges).toEqual([]);
  });
});
