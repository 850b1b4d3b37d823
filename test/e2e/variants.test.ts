// One job, many variants, end to end: the real CLI and both SDKs against stub servers on
// 127.0.0.1. Every case checks the output cell by cell (answer, status, error per variant) and
// the stub's books per model (what was paid, and how often), so a variant answered from the
// wrong lane, a row paid twice or an answer lost on the way to the file shows up.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintFile } from '../../src/core/fingerprint.js';
import { PRICES } from '../../src/core/pricing.js';
import { runCli, startCli, tempDir } from '../helpers/cli.js';
import { stubTokens } from '../helpers/create.js';
import { errorLines } from '../helpers/faults.js';
import { answerLines, beforeExit, jobIds, PROMPT, promptFor, reviewsCsv, statusJson, waitFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub, type StubOptions } from '../stub/server.js';

/** One model per wire, and the variant names `create` gives them. */
const MODELS = ['gpt-4o-mini', 'claude-haiku-4-5'] as const;
const NAMES = ['gpt_4o_mini', 'claude_haiku_4_5'] as const;
const TWO_MODELS = ['-m', MODELS[0], '-m', MODELS[1]];
const OLD_KEY = 'sk-test-old-key-0123456789';
const NEW_KEY = 'sk-test-new-key-9876543210';

const temp = tempDir();
const stubs: Stub[] = [];
afterAll(async () => {
  await Promise.all(stubs.map((stub) => stub.close()));
  temp.cleanup();
});

let benches = 0;
/** A stub (closed at the end), a fresh directory with `rows` rows `id,review`, and a state home. */
async function bench(rows: number, options: StubOptions = {}) {
  const stub = await startStub(options);
  stubs.push(stub);
  const root = join(temp.dir, `case${++benches}`);
  mkdirSync(root);
  const input = await reviewsCsv(root, 'reviews.csv', rows);
  const home = join(root, 'home');
  return { stub, root, input, home, output: join(root, 'out.csv'), prompts: Array.from({ length: rows }, (_, i) => promptFor(i)) };
}

/** Both wires at once: OpenAI at `openai`, Anthropic at `anthropic` (the same stub unless told). */
function wiresEnv(home: string, openai: Stub, anthropic: Stub = openai, key = OLD_KEY): Record<string, string> {
  return {
    OPENAI_API_KEY: key, OPENAI_BASE_URL: openai.openaiBaseURL,
    ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: anthropic.anthropicBaseURL,
    EVALCTL_HOME: home,
  };
}

type Row = Record<string, unknown>;

/** One variant's three cells of every row: `[answer, status, error]`. */
function cells(rows: Row[], prefix: string): [unknown, unknown, unknown][] {
  return rows.map((row) => [row[prefix], row[`${prefix}_status`], row[`${prefix}_error`]]);
}

const answered = (prompt: string): [string, string, null] => [stubAnswer(prompt), 'answered', null];
const notRun: [null, string, null] = [null, 'not_run', null];

/** What the stub paid for, per prompt, for one model (prompts not paid are absent). */
const paidFor = (stub: Stub, model: string): Record<string, number> => stub.stats().paidByModel[model] ?? {};
const once = (prompts: string[]): Record<string, number> => Object.fromEntries(prompts.map((p) => [p, 1]));

describe('one job, many variants: done when', () => {
  it('1. one OpenAI-wire and one Anthropic-wire variant: columns per variant, every cell, per-variant tokens and cost, each model paid once a row', async () => {
    const ROWS = 25;
    const { stub, root, input, home, output, prompts } = await bench(ROWS);
    const env = wiresEnv(home, stub);
    const result = await runCli(['create', input, '-p', PROMPT, ...TWO_MODELS, '-o', output], { cwd: root, env });
    expect(result.code, result.stderr).toBe(0);
    expect(errorLines(result.stderr)).toEqual([]);

    const { columns, rows } = await readTable(output);
    expect(columns.map((c) => c.name)).toEqual([
      'id', 'review',
      'prediction_gpt_4o_mini', 'prediction_gpt_4o_mini_status', 'prediction_gpt_4o_mini_error',
      'prediction_claude_haiku_4_5', 'prediction_claude_haiku_4_5_status', 'prediction_claude_haiku_4_5_error',
    ]);
    expect(rows.map((row) => row.id)).toEqual(prompts.map((_, i) => String(i)));
    for (const name of NAMES) expect(cells(rows, `prediction_${name}`)).toEqual(prompts.map(answered));

    const promptTokens = prompts.reduce((sum, p) => sum + stubTokens(p), 0);
    const completionTokens = prompts.reduce((sum, p) => sum + stubTokens(stubAnswer(p)), 0);
    const job = await statusJson(jobIds(home)[0], root, env);
    expect(job).toMatchObject({ status: 'completed', rows: ROWS, progress: { processed: 2 * ROWS, total: 2 * ROWS }, failed_rows: 0 });
    let total = 0;
    MODELS.forEach((model, i) => {
      const cost = (promptTokens * PRICES[model].input + completionTokens * PRICES[model].output) / 1e6;
      total += cost;
      expect(job.variants[i]).toMatchObject({
        name: NAMES[i], model, processed: ROWS, failed_rows: 0, cached_rows: 0,
        prompt_tokens_used: promptTokens, completion_tokens_used: completionTokens, tokens_used: promptTokens + completionTokens,
      });
      expect(job.variants[i].cost_usd).toBeCloseTo(cost, 12);
    });
    expect(job.variants).toHaveLength(2);
    expect(job.prompt_tokens_used).toBe(2 * promptTokens);
    expect(job.cost_usd).toBeCloseTo(total, 12);

    expect(stub.stats().models).toEqual({ [MODELS[0]]: ROWS, [MODELS[1]]: ROWS });
    for (const model of MODELS) expect(paidFor(stub, model)).toEqual(once(prompts));
  });

  it('2. a 429 storm at one endpoint does not lower the other\'s concurrency; every row of both variants is answered', async () => {
    // One stub per wire, so the storm hits one endpoint only. Long enough that the calm
    // endpoint still has most of its rows to do once the storm has halved the stormy limit.
    // 200 ms a request: long next to the client's CPU time per request, so a busy machine does
    // not thin out the calm endpoint's requests in flight; the storm still fills any shared window.
    const ROWS = 400;
    const { stub: calm, root, input, home, output, prompts } = await bench(ROWS, { latencyMs: 200 });
    const stormy = await startStub({ latencyMs: 200, rate429: 0.3, retryAfterSeconds: 1, seed: 5 });
    stubs.push(stormy);
    const run = startCli(['create', input, '-p', PROMPT, ...TWO_MODELS, '-c', '8', '--no-cache', '-o', output], { cwd: root, env: wiresEnv(home, calm, stormy) });

    // Both endpoints start with one wave of 8; measure the calm one only once the storm has
    // cut the stormy endpoint's limit (the first 429 halves it), and a second later again.
    await beforeExit(run, waitFor('the storm to start', () => (stormy.stats({ prompts: false }).byStatus['429'] ?? 0) >= 10, 30_000, 20));
    await beforeExit(run, new Promise((resolve) => setTimeout(resolve, 1000)));
    const calmLeft = ROWS - Object.keys(paidFor(calm, MODELS[0])).length;
    calm.reset();
    // How many requests the calm endpoint keeps in flight while it still has rows to do.
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const now = calm.stats({ prompts: false });
      if (now.paid < calmLeft) samples.push(now.inFlight);
    }, 10);
    const result = await run.done.finally(() => clearInterval(sampler));
    expect(result.code, result.stderr).toBe(0);

    expect(calmLeft).toBeGreaterThan(100); // it was measured while it still had work
    const meanInFlight = samples.reduce((sum, n) => sum + n, 0) / samples.length;
    expect(meanInFlight, `calm endpoint: ${samples.length} samples`).toBeGreaterThan(6);
    expect(calm.stats().maxInFlight).toBe(8);
    expect(stormy.stats().byStatus['429']).toBeGreaterThan(30);
    expect(calm.stats().byStatus['429']).toBeUndefined();
    const { rows } = await readTable(output);
    for (const name of NAMES) expect(cells(rows, `prediction_${name}`)).toEqual(prompts.map(answered));
    expect(paidFor(stormy, MODELS[1])).toEqual(once(prompts));
  }, 120_000);

  it('3. SIGKILL at ~40% of a two-variant run, then resume: every row of both variants, at most concurrency x endpoints pairs paid twice', async () => {
    const ROWS = 600;
    const CONCURRENCY = 8;
    const { stub, root, input, home, output, prompts } = await bench(ROWS, { latencyMs: 60 });
    const env = wiresEnv(home, stub);
    // --no-cache: the response cache would hide double payments from the stub's books.
    const run = startCli(['create', input, '-p', PROMPT, ...TWO_MODELS, '-c', String(CONCURRENCY), '--no-cache', '-o', output], { cwd: root, env });
    const id = await beforeExit(run, waitFor('the job to be created', () => jobIds(home)[0]));
    await beforeExit(run, waitFor('40% of the answers', () => answerLines(home, id).length >= 2 * ROWS * 0.4, 60_000, 20));
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const killedAt = answerLines(home, id).length;
    expect(killedAt).toBeLessThan(2 * ROWS * 0.9);

    const crashed = await statusJson(id, root, env);
    expect(crashed).toMatchObject({ status: 'errored', stop_reason: 'crashed', progress: { total: 2 * ROWS } });
    expect(crashed.progress.processed).toBeLessThanOrEqual(killedAt);

    const resumed = await runCli(['resume', id], { cwd: root, env, timeoutMs: 90_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const { rows } = await readTable(output);
    for (const name of NAMES) expect(cells(rows, `prediction_${name}`)).toEqual(prompts.map(answered));
    const job = await statusJson(id, root, env);
    expect(job).toMatchObject({ status: 'completed', progress: { processed: 2 * ROWS, total: 2 * ROWS }, failed_rows: 0 });
    expect(job.variants.map((v: { processed: number }) => v.processed)).toEqual([ROWS, ROWS]);

    // Paid again only for pairs in flight at the kill: at most concurrency per endpoint.
    let twice = 0;
    for (const model of MODELS) {
      const paid = paidFor(stub, model);
      expect(Object.keys(paid).sort()).toEqual([...prompts].sort());
      expect(Math.max(...Object.values(paid))).toBeLessThanOrEqual(2);
      twice += Object.values(paid).filter((n) => n === 2).length;
    }
    expect(twice).toBeLessThanOrEqual(CONCURRENCY * 2);
  }, 150_000);

  it('4. a key revoked after some answers: errored with one line about the key, the output holds every answer logged; resume with the new key finishes, none paid twice beyond those in flight at the stop', async () => {
    const ROWS = 200;
    const { stub, root, input, home, output, prompts } = await bench(ROWS, { latencyMs: 50, requireKey: OLD_KEY });
    const run = startCli(['create', input, '-p', PROMPT, ...TWO_MODELS, '-c', '4', '--no-cache', '-o', output], { cwd: root, env: wiresEnv(home, stub, stub, OLD_KEY) });
    const id = await beforeExit(run, waitFor('the job to be created', () => jobIds(home)[0]));
    await beforeExit(run, waitFor('20 answers', () => answerLines(home, id).length >= 20, 30_000, 10));
    stub.configure({ requireKey: NEW_KEY });
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(1);
    const errors = errorLines(stopped.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/refused the API key/);
    expect(stopped.stderr).not.toContain(OLD_KEY);

    const job = await statusJson(id, root, wiresEnv(home, stub));
    expect(job).toMatchObject({ status: 'errored', stop_reason: 'error', pid: null });
    const logged = answerLines(home, id) as unknown as { row: number; variant: number; status: string }[];
    expect(logged.every((a) => a.status === 'answered')).toBe(true);
    expect(logged.length).toBeGreaterThanOrEqual(20);
    expect(logged.length).toBeLessThan(2 * ROWS);
    const { rows } = await readTable(output);
    NAMES.forEach((name, v) => {
      const got = new Set(logged.filter((a) => a.variant === v).map((a) => a.row));
      expect(cells(rows, `prediction_${name}`)).toEqual(prompts.map((p, row) => (got.has(row) ? answered(p) : notRun)));
      // Every answer logged was paid for once; beyond those, only requests in flight when the
      // run stopped (answered by the server as the client gave up) may have been paid.
      const paid = paidFor(stub, MODELS[v]);
      for (const row of got) expect(paid[prompts[row]]).toBe(1);
      expect(Object.keys(paid).length - got.size).toBeLessThanOrEqual(4);
    });

    const resumed = await runCli(['resume', id], { cwd: root, env: wiresEnv(home, stub, stub, NEW_KEY), timeoutMs: 90_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = await readTable(output);
    for (const name of NAMES) expect(cells(after.rows, `prediction_${name}`)).toEqual(prompts.map(answered));
    for (const model of MODELS) {
      const counts = prompts.map((p) => paidFor(stub, model)[p] ?? 0);
      expect(Math.min(...counts)).toBe(1);
      expect(Math.max(...counts)).toBeLessThanOrEqual(2);
      expect(counts.filter((n) => n === 2).length).toBeLessThanOrEqual(4);
    }
    expect((await statusJson(id, root, wiresEnv(home, stub))).status).toBe('completed');
  }, 120_000);

  it('5. a job written by evalctl 0.1 (flat settings, old answer lines) shows in status and resumes: old answers kept, not re-sent', async () => {
    const ROWS = 10;
    const { stub, root, input, home, output, prompts } = await bench(ROWS);
    const env = { OPENAI_API_KEY: OLD_KEY, EVALCTL_HOME: home };
    const id = 'old2v9';
    const dir = join(home, 'jobs', id);
    mkdirSync(dir, { recursive: true });
    // Rows 0-3 answered by 0.1 (answers the stub would never give, to tell them apart); row 4 failed.
    const old = prompts.slice(0, 4).map((p, row) => ({
      row, answer: `old answer ${row}`, error: null, prompt_tokens: stubTokens(p), completion_tokens: 3, cost: 0.000001, cached: false, t: 1_790_000_000_000 + row,
    }));
    const failed = { row: 4, answer: null, error: 'server error (500) (gave up after 7 attempts)', prompt_tokens: 0, completion_tokens: 0, cost: 0, cached: false, t: 1_790_000_000_010 };
    writeFileSync(join(dir, 'answers.jsonl'), [...old, failed].map((line) => JSON.stringify(line) + '\n').join(''));
    const oldPromptTokens = old.reduce((sum, a) => sum + a.prompt_tokens, 0);
    // The record as evalctl 0.1 wrote it (JobRecord and JobSettings of HEAD~1:src/core/jobs.ts).
    writeFileSync(join(dir, 'job.json'), JSON.stringify({
      id, name: null, status: 'cancelled',
      source: { path: input, ...fingerprintFile(input) },
      output,
      settings: {
        model: 'gpt-4o-mini', provider: 'openai', base_url: stub.openaiBaseURL, prompt: PROMPT, system: null, temperature: 0, max_tokens: null,
        target_column: 'prediction', concurrency: 4, batch_size: 10, is_sample: false, sample_count: null, sample_seed: null,
        timeout_seconds: 120, max_retries: 6, max_retry_wait_seconds: 60, rpm: null, tpm: null, max_cost: null,
        cache: true, usage_columns: false, input_format: 'csv', output_format: 'csv', price: null,
      },
      progress: { processed: 5, total: ROWS },
      failed_rows: 1, cached_rows: 0, prompt_tokens_used: oldPromptTokens, completion_tokens_used: 12, tokens_used: oldPromptTokens + 12,
      cost_usd: 0.000004, credits_used: null,
      created_at: '2026-09-01T10:00:00.000Z', started_at: '2026-09-01T10:00:01.000Z', completed_at: null, cancelled_at: '2026-09-01T10:00:09.000Z',
      updated_at: '2026-09-01T10:00:09.000Z', error_message: 'Cancelled; answers so far are kept. Resume to finish.', stop_reason: 'cancelled',
      backoff: null, pid: null,
    }, null, 2));

    const shown = await runCli(['status', id], { cwd: root, env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout + shown.stderr).toContain(id);
    expect(shown.stdout + shown.stderr).toContain('cancelled');
    expect(await statusJson(id, root, env)).toMatchObject({
      status: 'cancelled', rows: ROWS, progress: { processed: 5, total: ROWS },
      variants: [{ name: 'gpt_4o_mini', model: 'gpt-4o-mini', processed: 5 }],
    });

    const resumed = await runCli(['resume', id], { cwd: root, env, timeoutMs: 60_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const { columns, rows } = await readTable(output);
    expect(columns.map((c) => c.name)).toEqual(['id', 'review', 'prediction', 'prediction_status', 'prediction_error']);
    expect(cells(rows, 'prediction')).toEqual(prompts.map((p, row) => (row < 4 ? [`old answer ${row}`, 'answered', null] : answered(p))));
    expect(paidFor(stub, 'gpt-4o-mini')).toEqual(once(prompts.slice(4)));
    const newPromptTokens = prompts.slice(4).reduce((sum, p) => sum + stubTokens(p), 0);
    expect(await statusJson(id, root, env)).toMatchObject({
      status: 'completed', progress: { processed: ROWS, total: ROWS }, failed_rows: 0,
      prompt_tokens_used: oldPromptTokens + newPromptTokens, settings: { schema_version: 2 },
    });
  });

  // The stub's URLs (nothing may reach it), or no endpoint at all (the real APIs, which a dry run must not need a key for).
  it.each<[string, boolean]>([
    ['pointed at the stub', true],
    ['at the providers\' own APIs', false],
  ])('6. --dry-run with two variants and no API key, %s: per-variant estimates and a total, nothing sent', async (_, atStub) => {
    const { stub, root, input, home, output } = await bench(12);
    const env: Record<string, string> = atStub
      ? { OPENAI_BASE_URL: stub.openaiBaseURL, ANTHROPIC_BASE_URL: stub.anthropicBaseURL, EVALCTL_HOME: home }
      : { EVALCTL_HOME: home };
    const args = ['create', input, '-p', PROMPT, ...TWO_MODELS, '-o', output, '--dry-run'];

    const text = await runCli(args, { cwd: root, env });
    expect(text.code, text.stderr).toBe(0);
    const shown = text.stdout + text.stderr;
    MODELS.forEach((model, i) => expect(shown).toContain(`Variant ${NAMES[i]} (${model})`));
    expect(shown).toMatch(/total cost +\$[\d.]+ to \$[\d.]+ for 2 variants/);

    const json = await runCli([...args, '--json'], { cwd: root, env });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ dry_run: true, rows: 12, variants: [{ name: NAMES[0], model: MODELS[0] }, { name: NAMES[1], model: MODELS[1] }] });
    expect(report.variants).toHaveLength(2);
    expect(report.cost_usd.low).toBeCloseTo(report.variants[0].cost_usd.low + report.variants[1].cost_usd.low, 12);
    expect(report.cost_usd.high).toBeCloseTo(report.variants[0].cost_usd.high + report.variants[1].cost_usd.high, 12);
    expect(report.cost_usd.low).toBeGreaterThan(0);

    expect(stub.stats().requests).toBe(0);
    expect(jobIds(home)).toEqual([]);
  });

  it('7. resume refuses --model (exit 2, one line naming it) and fixes a wrong base URL with --base-url', async () => {
    const ROWS = 15;
    const { stub, root, input, home, output, prompts } = await bench(ROWS);
    const env = { OPENAI_API_KEY: OLD_KEY, EVALCTL_HOME: home };
    const wrong = 'http://127.0.0.1:9/v1';
    const models = ['gpt-4o-mini', 'gpt-4.1-nano'];
    const created = await runCli(['create', input, '-p', PROMPT, '-m', models[0], '-m', models[1], '--base-url', wrong, '-o', output], { cwd: root, env });
    expect(created.code, created.stderr).toBe(1);
    const errors = errorLines(created.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^evalctl: Cannot reach OpenAI-compatible server at http:\/\/127\.0\.0\.1:9\/v1/);
    const id = jobIds(home)[0];
    expect(await statusJson(id, root, env)).toMatchObject({ status: 'errored', stop_reason: 'error' });

    const refused = await runCli(['resume', id, '--model', 'x'], { cwd: root, env });
    expect(refused.code).toBe(2);
    expect(errorLines(refused.stderr)).toHaveLength(1);
    expect(errorLines(refused.stderr)[0]).toContain('--model');
    expect(await statusJson(id, root, env)).toMatchObject({ status: 'errored' });

    const fixed = await runCli(['resume', id, '--base-url', stub.openaiBaseURL], { cwd: root, env });
    expect(fixed.code, fixed.stderr).toBe(0);
    const job = await statusJson(id, root, env);
    expect(job).toMatchObject({ status: 'completed', progress: { processed: 2 * ROWS, total: 2 * ROWS } });
    expect(job.settings.variants.map((v: { base_url: string }) => v.base_url)).toEqual([stub.openaiBaseURL, stub.openaiBaseURL]);
    const { rows } = await readTable(output);
    for (const name of ['gpt_4o_mini', 'gpt_4_1_nano']) expect(cells(rows, `prediction_${name}`)).toEqual(prompts.map(answered));
    for (const model of models) expect(paidFor(stub, model)).toEqual(once(prompts));
  });
});
