// --judge and --pairwise through --batch-api: the real CLI and SDKs against the in-process stub
// (results shuffled), whose `answer` function answers the job's prompts as usual and the judges'
// with verdicts scripted per row. Each `status` is a process of its own: answers batch -> judge
// batch -> output. The outputs are compared cell by cell with a live run of the same job.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRICES } from '../../src/core/pricing.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv, stubTokens } from '../helpers/create.js';
import { PROMPT, promptFor, reviewsCsv, storedRecord, waitFor } from '../helpers/jobs.js';
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
  const home = join(root, 'home');
  const env = { ...stubEnv(stub, 'openai', home), ...stubEnv(stub, 'anthropic', home), EVALCTL_BATCH_POLL_MS: '50' };
  const cli = (args: string[]) => runCli(args, { cwd: root, env });
  /** `create ... --batch-api --detach`: returns at once with the id; resolves once the background process has sent the answers' batches. */
  const detach = async (args: string[]) => {
    const started = Date.now();
    const created = await cli(['create', input, ...args, '--batch-api', '--detach']);
    expect(created.code, created.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const id = created.stdout.trim();
    await waitFor('the answers to be sent', () => { const r = storedRecord(home, id); return r.batch_state === 'submitted' && r.pid === null; });
    return id;
  };
  /** One `status --json` process: where the job is after it. */
  const status = async (id: string) => {
    const result = await cli(['status', id, '--json']);
    expect([0, 3, 5], result.stderr).toContain(result.code);
    return JSON.parse(result.stdout) as Record<string, any>;
  };
  return { stub, root, input, home, cli, detach, status };
}

const cost = (model: string, prompt: number, completion: number) => (prompt * PRICES[model].input + completion * PRICES[model].output) / 1e6;
/** The batches of a job, as [phase, requests], in the order they were sent. */
const batchesOf = (job: Record<string, any>) => job.batches.map((b: any) => [b.phase ?? 'answers', b.requests]);

describe('--judge through --batch-api', () => {
  // Per row: what the judge says (row 6's answer fails, so it is not judged).
  const SCRIPT = ['{"score": 5, "reason": "spot on"}', 'Sure.\n```json\n{"score": 2, "reason": "off topic"}\n```', 'Score: 3', '4', 'I cannot grade this.', 'Score: 9', '{"score": 1}'];
  const ROWS = SCRIPT.length;
  const RUBRIC = 'JUDGE row {id}: {review} => {prediction}';
  const judgePrompt = (i: number) => `JUDGE row ${i}: review ${i} => ${stubAnswer(promptFor(i))}`;
  const script = (prompt: string) => {
    const row = /^JUDGE row (\d+):/.exec(prompt);
    return row ? SCRIPT[Number(row[1])] : stubAnswer(prompt);
  };
  // Answers from OpenAI, verdicts from Anthropic: the judge's batches go to the judge model's endpoint.
  const args = ['-p', PROMPT, '-m', 'gpt-4o-mini', '--judge', RUBRIC, '--judge-model', 'claude-haiku-4-5'];
  const JUDGE_COLUMNS = ['prediction_judge_score', 'prediction_judge_reason', 'prediction_judge_pass', 'prediction_judge_error'];

  it('status moves answers batch -> judge batch -> output; the same cells as live; the judge billed apart at half price', async () => {
    const { stub, root, detach, status, cli } = await bench(ROWS, script);
    stub.configure({ failPrompts: ['review 6'] });
    const live = await cli(['create', join(root, 'reviews.csv'), ...args, '-o', join(root, 'live.csv'), '--json']);
    expect(live.code, live.stderr).toBe(3);
    stub.reset();

    const out = join(root, 'batch.csv');
    const id = await detach([...args, '-o', out]);
    expect(stub.stats().batches).toEqual({ created: 1, cancelled: 0, requests: ROWS });
    // 1st status: the answers' batch has ended; collected, then the judge's batch is sent (the failed row not in it).
    const judging = await status(id);
    expect(judging).toMatchObject({ status: 'running', batch_state: 'submitted', batch_phase: 'judges', pid: null });
    expect(batchesOf(judging)).toEqual([['answers', ROWS], ['judge', ROWS - 1]]);
    expect(judging.batches[1]).toMatchObject({ provider: 'anthropic', collected: false });
    expect(stub.paidCount(judgePrompt(6))).toBe(0);
    // 2nd status: verdicts collected, output written.
    const done = await status(id);
    expect(done).toMatchObject({ status: 'completed', batch_state: null, failed_rows: 1, judge_usage: { judged: ROWS - 1, failed: 0 } });
    expect(stub.stats().batches).toEqual({ created: 2, cancelled: 0, requests: ROWS + ROWS - 1 });
    for (let i = 0; i < ROWS - 1; i++) expect(stub.paidCount(judgePrompt(i), 'claude-haiku-4-5'), `row ${i}`).toBe(1);

    const [batch, reference] = [await readTable(out), await readTable(join(root, 'live.csv'))];
    expect(batch.columns).toEqual(reference.columns);
    batch.rows.forEach((row, i) => {
      for (const column of ['prediction', 'prediction_status', ...JUDGE_COLUMNS]) expect(row[column], `row ${i} ${column}`).toEqual(reference.rows[i][column]);
    });
    expect(batch.rows.map((r) => r.prediction_judge_score)).toEqual(['5.0', '2.0', '3.0', '4.0', null, null, null]);

    const judgePrompts = Array.from({ length: ROWS - 1 }, (_, i) => judgePrompt(i));
    const promptTokens = judgePrompts.reduce((sum, p) => sum + stubTokens(p), 0);
    const completionTokens = SCRIPT.slice(0, ROWS - 1).reduce((sum, said) => sum + stubTokens(said), 0);
    expect(done.judge_usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: completionTokens });
    expect(done.judge_usage.cost_usd).toBeCloseTo(cost('claude-haiku-4-5', promptTokens, completionTokens) / 2, 12);
    const liveJob = JSON.parse(live.stdout);
    expect(done.judge_usage.cost_usd).toBeCloseTo(liveJob.judge_usage.cost_usd / 2, 12);
    expect(done.cost_usd).toBeCloseTo(liveJob.cost_usd / 2, 12);
    expect(done.metrics).toEqual(liveJob.metrics);

    const text = await cli(['status', id]);
    expect(text.stdout).toMatch(/batch {6}msgbatch_\S+ \(anthropic, judge\): ended, 6 requests: 6 succeeded, collected/);
  });

  it('cancel in the judge phase cancels the judge batch and keeps the answers; resume sends only the missing verdicts', async () => {
    const { stub, root, detach, status, cli } = await bench(ROWS, script);
    const out = join(root, 'out.csv');
    stub.configure({ batchPolls: 4 });
    const id = await detach([...args, '-o', out]);
    for (let i = 0; i < 4; i++) await status(id); // the answers' batch ends at the 4th poll; the judge's is sent
    const judging = await status(id); // a quarter of the verdicts
    expect(batchesOf(judging)).toEqual([['answers', ROWS], ['judge', ROWS]]);
    const cancelled = await cli(['cancel', id, '--json']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const job = JSON.parse(cancelled.stdout);
    expect(job).toMatchObject({ status: 'cancelled', stop_reason: 'cancelled', failed_rows: 0, progress: { processed: ROWS } });
    expect(stub.stats().batches.cancelled).toBe(1);
    const kept = job.judge_usage.judged;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(ROWS);

    const { rows } = await readTable(out);
    rows.forEach((row, i) => expect(row.prediction, `row ${i}`).toBe(stubAnswer(promptFor(i))));
    const judged = rows.filter((r) => r.prediction_judge_score !== null || r.prediction_judge_error !== null);
    expect(judged).toHaveLength(kept);
    // Not judged: every judge cell empty, as a live run cancelled while judging leaves it.
    for (const row of rows.filter((r) => !judged.includes(r))) expect(JUDGE_COLUMNS.map((c) => row[c])).toEqual([null, null, null, null]);
    // export writes the same table again from the logs, judge columns included.
    const exported = await cli(['export', id, '-o', join(root, 'exported.csv')]);
    expect(exported.code, exported.stderr).toBe(0);
    expect((await readTable(join(root, 'exported.csv'))).rows).toEqual(rows);

    stub.configure({ batchPolls: 1 });
    const before = stub.stats().batches;
    const resumed = await cli(['resume', id, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', judge_usage: { judged: ROWS, failed: 0 } });
    expect(stub.stats().batches).toEqual({ created: before.created + 1, cancelled: 1, requests: before.requests + ROWS - kept });
    for (let i = 0; i < ROWS; i++) {
      expect(stub.paidCount(promptFor(i)), `answer ${i}`).toBe(1);
      expect(stub.paidCount(judgePrompt(i)), `verdict ${i}`).toBe(1);
    }
    expect((await readTable(out)).rows.map((r) => r.prediction_judge_score)).toEqual(['5.0', '2.0', '3.0', '4.0', null, null, '1.0']);
  });

  it('expired verdicts are judge errors; resume re-sends only those', async () => {
    const { stub, root, detach, status, cli } = await bench(ROWS, script);
    const out = join(root, 'out.csv');
    stub.configure({ batchExpirePrompts: ['JUDGE row 1:', 'JUDGE row 3:'] });
    const id = await detach([...args, '-o', out]);
    await status(id);
    const done = await status(id);
    expect(done).toMatchObject({ status: 'completed', failed_rows: 0, judge_usage: { judged: ROWS - 2, failed: 2 } });
    const first = await readTable(out);
    expect(first.rows.map((r) => r.prediction_judge_score)).toEqual(['5.0', null, '3.0', null, null, null, '1.0']);
    expect(String(first.rows[1].prediction_judge_error)).toMatch(/expired/);

    stub.configure({ batchExpirePrompts: undefined });
    const before = stub.stats().batches;
    const resumed = await cli(['resume', id, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(stub.stats().batches).toEqual({ created: before.created + 1, cancelled: 0, requests: before.requests + 2 });
    expect(JSON.parse(resumed.stdout).judge_usage).toMatchObject({ judged: ROWS, failed: 0 });
    for (let i = 0; i < ROWS; i++) expect(stub.paidCount(judgePrompt(i)), `verdict ${i}`).toBe(1);
    const second = await readTable(out);
    expect(second.rows.map((r) => r.prediction_judge_score)).toEqual(['5.0', '2.0', '3.0', '4.0', null, null, '1.0']);
    expect(second.rows[1].prediction_judge_error).toBeNull();
  });

  it('a judge model with no batch API (echo) is refused with one line', async () => {
    const { stub, root, cli } = await bench(2, stubAnswer);
    const result = await cli(['create', join(root, 'reviews.csv'), '-p', PROMPT, '-m', 'gpt-4o-mini', '--judge', RUBRIC, '--judge-model', 'echo', '--batch-api']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--batch-api needs a judge model at OpenAI or Anthropic; echo has no batch API.');
    expect(stub.stats().requests).toBe(0);
  });
});

describe('--pairwise through --batch-api', () => {
  // Per row, what the judge prefers: the answer to prompt X, to prompt Y, whichever is shown first (a tie), a tie, or nothing readable.
  const PREFERS = ['X', 'Y', 'first', 'tie', 'X', 'garbage'] as const;
  const script = (prompt: string) => {
    const match = /^PAIR (\d+): \[A\] (.*) \[B\] (.*)$/.exec(prompt);
    if (prompt.startsWith('JUDGE ')) return '{"score": 4, "reason": "fine"}';
    if (!match) return stubAnswer(prompt);
    const want = PREFERS[Number(match[1])];
    if (want === 'garbage') return 'Both have merits.';
    const verdict = want === 'first' ? 'A' : want === 'tie' ? 'tie' : match[2].startsWith(`A:${want} `) ? 'A' : 'B';
    return `{"verdict": "${verdict}", "reason": "because"}`;
  };

  it('a judge batch the provider refuses: that status fails with one line, the answers kept; resume sends it, no answer paid twice', async () => {
    const { stub, root, home, detach, cli } = await bench(PREFERS.length, script);
    writeFileSync(join(root, '.evalrc.json'), JSON.stringify({ variants: [{ name: 'mini', model: 'gpt-4o-mini', prompt: 'X {review}' }, { name: 'haiku', model: 'claude-haiku-4-5', prompt: 'Y {review}' }] }));
    // The answers' batches hold 6 requests each; the pairwise batch 12, over the stub's limit.
    stub.configure({ batchMaxRequests: PREFERS.length });
    const id = await detach(['--pairwise', 'PAIR {id}: [A] {answer_a} [B] {answer_b}', '-o', join(root, 'out.csv')]);
    const failed = await cli(['status', id, '--json']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^evalctl: Could not send 12 judge requests to OpenAI as a batch: 400 A batch holds at most 6 requests; this one has 12 \(stub\)\n {2}Check the API key and base URL, then `evalctl resume \w+`: batches already sent are kept and not sent again\.\n$/);
    expect(storedRecord(home, id)).toMatchObject({ status: 'errored', pid: null, batch_state: null });
    expect(stub.stats().batches).toEqual({ created: 2, cancelled: 0, requests: 2 * PREFERS.length });

    stub.configure({ batchMaxRequests: undefined });
    const resumed = await cli(['resume', id, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', failed_rows: 0, pairwise_usage: { judged: 2 * PREFERS.length, failed: 0 } });
    expect(stub.stats().batches).toEqual({ created: 3, cancelled: 0, requests: 4 * PREFERS.length });
    expect(Object.values(stub.stats().paidByPrompt).every((count) => count === 1)).toBe(true);
    expect((await readTable(join(root, 'out.csv'))).rows.map((r) => r.prediction_pairwise_winner)).toEqual(['mini', 'haiku', 'tie', 'tie', 'mini', null]);
  });

  it('two models at two providers, with a judge too: both orders in one batch at the judge model; the winners and win rates of a live run', async () => {
    const { stub, root, detach, status, cli } = await bench(PREFERS.length, script);
    // Two variants, each its own model and prompt (a config file's named variants), so the judge can tell the answers apart.
    writeFileSync(join(root, '.evalrc.json'), JSON.stringify({ variants: [{ name: 'mini', model: 'gpt-4o-mini', prompt: 'X {review}' }, { name: 'haiku', model: 'claude-haiku-4-5', prompt: 'Y {review}' }] }));
    // With a judge too: its batches and the pairwise ones go to the same endpoint, in sets of their own.
    const args = ['--pairwise', 'PAIR {id}: [A] {answer_a} [B] {answer_b}', '--judge', 'JUDGE {id}: {prediction}', '--judge-model', 'gpt-4o'];
    const live = await cli(['create', join(root, 'reviews.csv'), ...args, '-o', join(root, 'live.csv'), '--json']);
    expect(live.code, live.stderr).toBe(0);
    stub.reset();

    const out = join(root, 'batch.csv');
    const id = await detach([...args, '-o', out]);
    const judging = await status(id);
    expect(judging.batches.map((b: any) => [b.phase ?? 'answers', b.provider, b.requests])).toEqual([
      ['answers', 'openai', PREFERS.length], ['answers', 'anthropic', PREFERS.length], ['judge', 'openai', PREFERS.length * 2], ['pairwise', 'openai', PREFERS.length * 2],
    ]);
    const done = await status(id);
    expect(done).toMatchObject({ status: 'completed', pairwise_usage: { judged: PREFERS.length * 2, failed: 0 }, judge_usage: { judged: PREFERS.length * 2, failed: 0 } });

    const [batch, reference] = [await readTable(out), await readTable(join(root, 'live.csv'))];
    expect(batch.columns).toEqual(reference.columns);
    const judged = batch.columns.map((c) => c.name).filter((name) => /_judge_|_pairwise_/.test(name) || /^prediction_(mini|haiku)$/.test(name));
    expect(judged).toHaveLength(2 + 2 * 4 + 1);
    batch.rows.forEach((row, i) => { for (const name of judged) expect(row[name], `row ${i} ${name}`).toEqual(reference.rows[i][name]); });
    expect(batch.rows.map((r) => r.prediction_mini_judge_score)).toEqual(Array(PREFERS.length).fill('4.0'));
    const winners = batch.rows.map((r) => r.prediction_pairwise_winner);
    expect(winners).toEqual(reference.rows.map((r) => r.prediction_pairwise_winner));
    expect(winners).toEqual(['mini', 'haiku', 'tie', 'tie', 'mini', null]);
    const liveJob = JSON.parse(live.stdout);
    expect(done.metrics).toEqual(liveJob.metrics);
    expect(done.pairwise_usage.cost_usd).toBeCloseTo(liveJob.pairwise_usage.cost_usd / 2, 12);
    const paid = stub.stats().paidByPrompt;
    expect(Object.keys(stub.stats().paidByModel['gpt-4o'])).toHaveLength(PREFERS.length * 4);
    const pairs = Object.keys(paid).filter((p) => p.startsWith('PAIR '));
    expect(pairs).toHaveLength(PREFERS.length * 2);
    expect(pairs.every((p) => paid[p] === 1)).toBe(true);
  });
});
