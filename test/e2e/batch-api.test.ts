// create --batch-api: the rows go to the providers' batch APIs (the stub's, in both wire
// formats); a later `status` process collects the results, matched by custom_id though the stub
// returns them shuffled; cancel, expiry and resume; the bill at half the live price.
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv, stubTokens, WIRE_MODEL, type Wire } from '../helpers/create.js';
import { answerLines, checkOutput, PROMPT, promptFor, reviewsCsv, statusJson, storedRecord, waitFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';
import { PRICES } from '../../src/core/pricing.js';

const ROWS = 20;
const answerFor = (i: number) => stubAnswer(promptFor(i));

describe.each<Wire>(['openai', 'anthropic'])('--batch-api over the %s wire', (wire) => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let source: string;
  let n = 0;

  beforeAll(async () => {
    stub = await startStub();
    temp = tempDir();
    env = { ...stubEnv(stub, wire, join(temp.dir, 'home')), EVALCTL_BATCH_POLL_MS: '50' };
    source = await reviewsCsv(temp.dir, 'reviews.csv', ROWS);
  });
  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });
  beforeEach(() => {
    stub.configure({ batchPolls: 1, batchMaxRequests: undefined, batchExpirePrompts: undefined });
    stub.reset();
  });

  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: temp.dir, env: { ...env, ...extra } });
  /** `create --batch-api --detach`; resolves once the background process has sent the batches and gone. */
  async function submitDetached(output: string, extra: Record<string, string> = {}): Promise<string> {
    const started = Date.now();
    const result = await cli(['create', source, '-p', PROMPT, '-m', WIRE_MODEL[wire], '-t', 'answer', '-o', output, '--batch-api', '--detach'], extra);
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const id = result.stdout.trim();
    await waitFor('the batches to be sent', () => { const r = storedRecord(env.EVALCTL_HOME, id); return r.batch_state === 'submitted' && r.pid === null; });
    return id;
  }
  const output = () => join(temp.dir, `out-${++n}.csv`);

  it('detached: split at the request limit; a later status collects every row once, cell by cell, billed at half price', async () => {
    stub.configure({ batchPolls: 3, batchMaxRequests: 7 });
    const out = output();
    const id = await submitDetached(out, { EVALCTL_BATCH_MAX_REQUESTS: '7' });
    expect(stub.stats().batches).toEqual({ created: 3, cancelled: 0, requests: ROWS });

    const first = await statusJson(id, temp.dir, env);
    expect(first).toMatchObject({ status: 'running', batch_state: 'submitted', pid: null });
    expect(first.batches.map((b: any) => b.requests)).toEqual([7, 7, 6]);
    expect(first.batches.every((b: any) => !b.ended && b.counts.succeeded > 0)).toBe(true);

    const done = await waitFor('the job to complete', async () => { const job = await statusJson(id, temp.dir, env); return job.status === 'completed' && job; });
    const { rows } = await readTable(out);
    expect(checkOutput(rows, ROWS, answerFor)).toEqual({ answered: ROWS, notRun: 0, problems: [] });
    for (let i = 0; i < ROWS; i++) expect(stub.paidCount(promptFor(i))).toBe(1);
    expect(answerLines(env.EVALCTL_HOME, id)).toHaveLength(ROWS);

    const prompts = Array.from({ length: ROWS }, (_, i) => promptFor(i));
    const promptTokens = prompts.reduce((sum, p) => sum + stubTokens(p), 0);
    const completionTokens = prompts.reduce((sum, p) => sum + stubTokens(stubAnswer(p)), 0);
    const price = PRICES[WIRE_MODEL[wire]];
    expect(done).toMatchObject({ prompt_tokens_used: promptTokens, completion_tokens_used: completionTokens, failed_rows: 0, progress: { processed: ROWS, total: ROWS } });
    expect(done.cost_usd).toBeCloseTo((promptTokens * price.input + completionTokens * price.output) / 2e6, 12);

    const text = await cli(['status', id]);
    expect(text.stdout).toMatch(/batch {6}\S+ \(\w+\): (completed|ended), 7 requests: 7 succeeded, collected/);
  });

  it('cancel cancels the provider batch and keeps what it completed; resume sends only the rest', async () => {
    stub.configure({ batchPolls: 4 });
    const out = output();
    const id = await submitDetached(out);
    await statusJson(id, temp.dir, env); // a quarter processed
    const cancelled = await cli(['cancel', id, '--json']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const record = JSON.parse(cancelled.stdout);
    expect(record).toMatchObject({ status: 'cancelled', stop_reason: 'cancelled', failed_rows: 0 });
    expect(stub.stats().batches.cancelled).toBe(1);
    const kept = record.progress.processed;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(ROWS);
    expect(checkOutput((await readTable(out)).rows, ROWS, answerFor)).toEqual({ answered: kept, notRun: ROWS - kept, problems: [] });

    stub.configure({ batchPolls: 1 });
    const resumed = await cli(['resume', id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(stub.stats().batches.requests).toBe(ROWS + (ROWS - kept));
    for (let i = 0; i < ROWS; i++) expect(stub.paidCount(promptFor(i))).toBe(1);
    expect(checkOutput((await readTable(out)).rows, ROWS, answerFor)).toEqual({ answered: ROWS, notRun: 0, problems: [] });
  });

  it('expired requests are row errors; resume (foreground) re-sends only rows without an answer', async () => {
    stub.configure({ batchExpirePrompts: ['review 3', 'review 11'] });
    const out = output();
    const created = await cli(['create', source, '-p', PROMPT, '-m', WIRE_MODEL[wire], '-t', 'answer', '-o', out, '--batch-api', '--json']);
    expect(created.code, created.stderr).toBe(3);
    const job = JSON.parse(created.stdout);
    expect(job).toMatchObject({ status: 'completed', failed_rows: 2 });
    const { rows } = await readTable(out);
    expect(rows.filter((r) => r.answer_status === 'failed').map((r) => r.id)).toEqual(['3', '11']);
    expect(String(rows[3].answer_error)).toMatch(/expired/);

    stub.configure({ batchExpirePrompts: undefined });
    const requestsBefore = stub.stats().batches.requests;
    const resumed = await cli(['resume', job.id, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(stub.stats().batches.requests - requestsBefore).toBe(2);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', failed_rows: 0 });
    expect(checkOutput((await readTable(out)).rows, ROWS, answerFor)).toEqual({ answered: ROWS, notRun: 0, problems: [] });
  });

  it('resume --live sends the expired rows as live requests, billed at the live price', async () => {
    stub.configure({ batchExpirePrompts: ['review 5'] });
    const out = output();
    const created = await cli(['create', source, '-p', PROMPT, '-m', WIRE_MODEL[wire], '-t', 'answer', '-o', out, '--batch-api', '--json']);
    expect(created.code, created.stderr).toBe(3);
    const job = JSON.parse(created.stdout);
    const batchCost = job.cost_usd;
    stub.configure({ batchExpirePrompts: undefined });
    const { batches, paid } = stub.stats();
    const resumed = await cli(['resume', job.id, '--live', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(stub.stats().batches).toEqual(batches);
    expect(stub.stats().paid - paid).toBe(1);
    const price = PRICES[WIRE_MODEL[wire]];
    const live = (stubTokens(promptFor(5)) * price.input + stubTokens(answerFor(5)) * price.output) / 1e6;
    expect(JSON.parse(resumed.stdout).cost_usd).toBeCloseTo(batchCost + live, 12);
    expect(checkOutput((await readTable(out)).rows, ROWS, answerFor)).toEqual({ answered: ROWS, notRun: 0, problems: [] });
  });
});

describe('--batch-api with variants at two providers', () => {
  it('sends one batch set per endpoint; status --watch follows them and fills every variant column', async () => {
    const stub = await startStub({ batchPolls: 2 });
    const temp = tempDir();
    try {
      const home = join(temp.dir, 'home');
      const env = { ...stubEnv(stub, 'openai', home), ...stubEnv(stub, 'anthropic', home), EVALCTL_BATCH_POLL_MS: '50' };
      const source = await reviewsCsv(temp.dir, 'reviews.csv', 6);
      const out = join(temp.dir, 'out.csv');
      const created = await runCli(['create', source, '-p', PROMPT, '-m', 'gpt-4o-mini', '-m', 'claude-haiku-4-5', '-t', 'answer', '-o', out, '--batch-api', '--detach'], { cwd: temp.dir, env });
      expect(created.code, created.stderr).toBe(0);
      const id = created.stdout.trim();
      await waitFor('the batches to be sent', () => storedRecord(home, id).batch_state === 'submitted');
      // Waiting on the providers with no process alive is not a crash.
      const listed = await runCli(['list', '--json'], { cwd: temp.dir, env });
      expect(JSON.parse(listed.stdout)[0]).toMatchObject({ id, status: 'running', pid: null, stop_reason: null });
      const result = await runCli(['status', id, '--watch', '--json'], { cwd: temp.dir, env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/0\/2 batches ended; \d+ succeeded, 0 failed, \d+ processing/);
      const job = JSON.parse(result.stdout);
      expect(job.status).toBe('completed');
      expect(job.batches.map((b: any) => [b.provider, b.requests])).toEqual([['openai', 6], ['anthropic', 6]]);
      expect(stub.stats().batches).toEqual({ created: 2, cancelled: 0, requests: 12 });
      const { rows } = await readTable(out);
      for (const name of ['gpt_4o_mini', 'claude_haiku_4_5']) expect(checkOutput(rows, 6, answerFor, `answer_${name}`)).toEqual({ answered: 6, notRun: 0, problems: [] });
      for (let i = 0; i < 6; i++) {
        expect(stub.paidCount(promptFor(i), 'gpt-4o-mini')).toBe(1);
        expect(stub.paidCount(promptFor(i), 'claude-haiku-4-5')).toBe(1);
      }
    } finally {
      await stub.close();
      temp.cleanup();
    }
  });
});

describe('--batch-api with --dry-run', () => {
  it('shows the live and the batch price side by side', async () => {
    const temp = tempDir();
    try {
      const source = await reviewsCsv(temp.dir, 'reviews.csv', 10);
      const result = await runCli(['create', source, '-p', PROMPT, '-m', 'gpt-4o-mini', '--max-tokens', '10', '--batch-api', '--dry-run', '--json'], { cwd: temp.dir, env: { EVALCTL_HOME: join(temp.dir, 'home') } });
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.batch_cost_usd.low).toBeCloseTo(report.cost_usd.low / 2, 12);
      expect(report.batch_cost_usd.high).toBeCloseTo(report.cost_usd.high / 2, 12);
      const text = await runCli(['create', source, '-p', PROMPT, '-m', 'gpt-4o-mini', '--batch-api', '--dry-run'], { cwd: temp.dir, env: { EVALCTL_HOME: join(temp.dir, 'home') } });
      expect(text.stderr).toMatch(/cost {11}\$\S+ to \$\S+ live, \$\S+ to \$\S+ at batch prices with gpt-4o-mini/);
    } finally {
      temp.cleanup();
    }
  });
});

describe('--batch-api when the provider cannot be reached', () => {
  it('stops with one line and what to do (no crash from the request file it was uploading)', async () => {
    const temp = tempDir();
    try {
      const source = await reviewsCsv(temp.dir, 'reviews.csv', 3);
      const env = { EVALCTL_HOME: join(temp.dir, 'home'), OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
      const result = await runCli(['create', source, '-p', PROMPT, '-m', 'gpt-4o-mini', '--batch-api'], { cwd: temp.dir, env });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^evalctl: Could not send 3 requests to OpenAI as a batch: Connection error\.\n {2}Check the API key and base URL, then `evalctl resume \w+`: batches already sent are kept and not sent again\.\n$/);
    } finally {
      temp.cleanup();
    }
  });
});

describe('--batch-api with --max-cost', () => {
  it('refuses in one line, sending nothing, a job whose batch estimate passes the budget; sends one that fits', async () => {
    const stub = await startStub();
    const temp = tempDir();
    try {
      const env = { ...stubEnv(stub, 'openai', join(temp.dir, 'home')), EVALCTL_BATCH_POLL_MS: '50' };
      const source = await reviewsCsv(temp.dir, 'reviews.csv', 10);
      const over = await runCli(['create', source, '-p', PROMPT, '-m', 'gpt-4o-mini', '--max-tokens', '10', '--batch-api', '--max-cost', '0.0000001', '-o', 'over.csv'], { cwd: temp.dir, env });
      expect(over.code).toBe(2);
      expect(over.stderr).toMatch(/^evalctl: --batch-api with --max-cost \$0\.000000: this job may cost \$\S+ to \$\S+ at batch prices, and a provider batch cannot be stopped at the budget\. Nothing was sent\.$/m);
      expect(over.stderr).toMatch(/Raise --max-cost/);
      expect(stub.stats().requests).toBe(0);

      const fits = await runCli(['create', source, '-p', PROMPT, '-m', 'gpt-4o-mini', '--max-tokens', '10', '--batch-api', '--max-cost', '1', '-o', 'fits.csv'], { cwd: temp.dir, env });
      expect(fits.code, fits.stderr).toBe(0);
      const { rows } = await readTable(join(temp.dir, 'fits.csv'));
      expect(rows).toHaveLength(10);
      expect(stub.stats().batches.requests).toBeGreaterThanOrEqual(10);
    } finally {
      await stub.close();
      temp.cleanup();
    }
  });
});
