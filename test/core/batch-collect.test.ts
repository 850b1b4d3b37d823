import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnswerLog } from '../../src/core/answers.js';
import type { BatchApi } from '../../src/core/batch/clients.js';
import { answerTarget, collectBatch, judgeTarget } from '../../src/core/batch/collect.js';
import type { BatchResult } from '../../src/core/batch/types.js';
import { readJudgement } from '../../src/core/judge/requests.js';
import { PRICES } from '../../src/core/pricing.js';
import type { JobSpec } from '../../src/core/spec.js';
import { tempDir } from '../helpers/cli.js';

const { dir, cleanup } = tempDir('evalctl-collect-');
afterAll(cleanup);
let n = 0;

/** A batch API over results held in memory (the provider's side of the wire), in the order given. */
const resultsApi = (results: BatchResult[]): BatchApi => ({
  create: async () => 'unused', retrieve: async () => ({ status: 'ended', ended: true, counts: { processing: 0, succeeded: 0, errored: 0, expired: 0, canceled: 0 } }), cancel: async () => {},
  async *results() { yield* results; },
});

/** Collects `results` into a fresh log; returns its lines and what was logged. */
async function collect(results: BatchResult[], target: Parameters<typeof collectBatch>[2], done: Uint8Array) {
  const path = join(dir, `log${++n}.jsonl`);
  const log = new AnswerLog(path);
  const logged = await collectBatch(resultsApi(results), 'b', target, done, log, {});
  log.close();
  return { logged, lines: readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

const judge = { lanes: 2, model: { model: 'gpt-4o', provider: 'openai' as const, base_url: null, price: null }, read: (text: string) => readJudgement(text, { scale: [1, 5], pass_threshold: 3 }) };
const spec = { max_answer_bytes: null, variants: [{ name: 'v', model: 'gpt-4o-mini', provider: 'openai', base_url: null, prompt: '', system: null, temperature: 0, max_tokens: null, price: null }] } as unknown as JobSpec;
const ok = (custom_id: string, text: string): BatchResult => ({ custom_id, type: 'succeeded', text, promptTokens: 100, completionTokens: 10 });

describe('collectBatch into a judging phase', () => {
  it('adds the verdict fields to each line, bills the judge at half price, and skips cancelled, foreign and already-judged pairs', async () => {
    const done = new Uint8Array(3 * 2);
    done[2 * 2 + 1] = 1; // row 2, lane 1: judged before (results read before a crash)
    const { logged, lines } = await collect([
      ok('1-0', '{"score": 2, "reason": "weak"}'),
      ok('0-1', 'Score: 5'),
      ok('2-1', '{"score": 1}'),
      { custom_id: '0-0', type: 'failed', kind: 'expired', message: 'expired in the batch' },
      { custom_id: '2-0', type: 'canceled' },
      ok('1-2', '{"score": 4}'), // lane 2: not a lane of this phase
      ok('judge', '4'),
    ], judgeTarget(spec, judge), done);
    expect(logged).toBe(3);
    const half = (100 * PRICES['gpt-4o'].input + 10 * PRICES['gpt-4o'].output) / 2e6;
    expect(lines.map((l) => [l.row, l.variant, l.status, l.score, l.pass, l.reason, l.error_kind])).toEqual([
      [1, 0, 'answered', 2, false, 'weak', null],
      [0, 1, 'answered', 5, true, null, null],
      [0, 0, 'failed', undefined, undefined, undefined, 'expired'],
    ]);
    expect(lines[0].cost).toBeCloseTo(half, 15);
    expect(lines[2].cost).toBe(0);
    expect([...done]).toEqual([0, 1, 1, 0, 0, 1]);
  });

  it('an unreadable verdict is answered with a judge error; the answers target adds no verdict fields', async () => {
    const judged = await collect([ok('0-0', 'I cannot grade this.')], judgeTarget(spec, judge), new Uint8Array(2));
    expect(judged.lines[0]).toMatchObject({ status: 'answered', score: null, pass: null, judge_error: expect.stringMatching(/^no score in the judge's answer/) });
    const answered = await collect([ok('0-0', 'Score: 5')], answerTarget(spec), new Uint8Array(1));
    expect(answered.lines[0]).toMatchObject({ status: 'answered', answer: 'Score: 5' });
    expect(answered.lines[0]).not.toHaveProperty('score');
  });
});
