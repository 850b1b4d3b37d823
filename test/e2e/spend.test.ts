import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, describe, expect, it } from 'vitest';
import { PRICES } from '../../src/core/pricing.js';
import { stubAnswer } from '../stub/server.js';
import { runCli } from '../helpers/cli.js';
import { expectAnswered, stubTokens } from '../helpers/create.js';
import { benchFactory } from '../helpers/faults.js';
import { checkOutput, PROMPT, promptFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';

// Spend (issue 4): the --max-cost budget and resuming past it, the response cache and in-run
// deduplication, --dry-run, --rpm pacing, and progress that says when the run is backing off.

const benches = benchFactory();
afterAll(benches.close);
const PRICE = PRICES['gpt-4o-mini'];
/** What the stub bills for one row of `promptFor`, in USD. */
const rowCost = (i: number) => (stubTokens(promptFor(i)) * PRICE.input + stubTokens(stubAnswer(promptFor(i))) * PRICE.output) / 1e6;

describe('--max-cost', () => {
  it('stops before passing the budget (exit 4, resumable), keeps every answer; resume with a higher budget finishes without paying a row twice', async () => {
    const rows = 300;
    const budget = 0.0005; // about 115 of the 300 rows
    const { stub, root, home, env, run } = await benches.make(rows, { latencyMs: 20 });
    const output = join(root, 'out.csv');
    const result = await run(['-o', output, '--max-cost', String(budget), '--json']);
    expect(result.code, result.stderr).toBe(4);
    const job = JSON.parse(result.stdout);
    expect(job).toMatchObject({ status: 'cancelled', stop_reason: 'budget' });
    expect(result.stderr).toContain('Stopped before passing the --max-cost budget of $0.0005; resume with a higher --max-cost to finish.');
    // Spend stays under the budget (give or take the rows in flight, at most -c 8 of them)
    // and uses most of it.
    const paid = stub.stats().paid;
    expect(job.cost_usd).toBeLessThanOrEqual(budget + 8 * rowCost(rows - 1));
    expect(job.cost_usd).toBeGreaterThan(budget * 0.8);
    expect(job.progress.processed).toBe(paid);
    const partial = checkOutput((await readTable(output)).rows, rows, (i) => stubAnswer(promptFor(i)));
    expect(partial).toEqual({ answered: paid, notRun: rows - paid, problems: [] });
    const last = (await readTable(output)).rows[rows - 1];
    expect([last.answer_status, last.answer_error]).toEqual(['not_run', null]);

    // The hint names a budget that finishes the job; resume is run exactly as it says.
    const hint = new RegExp(`Finish it with \`evalctl resume ${job.id} --max-cost (\\d+(?:\\.\\d+)?)\``).exec(result.stderr);
    expect(hint, result.stderr).not.toBeNull();
    const suggested = Number(hint![1]);
    expect(suggested).toBeGreaterThan(budget);
    expect(suggested).toBeLessThan(0.01);
    const status = await runCli(['status', job.id], { cwd: root, env: env() });
    expect(status.stdout).toContain('cancelled (budget)');
    expect(status.stdout).not.toMatch(/rows\/s|ETA/);
    expect(status.stderr).toContain(`Resume with \`evalctl resume ${job.id} --max-cost ${hint![1]}\`.`);
    const resumed = await runCli(['resume', job.id, '--max-cost', hint![1], '--json'], { cwd: root, env: env() });
    expect(resumed.code, resumed.stderr).toBe(0);
    const done = JSON.parse(resumed.stdout);
    expect(done).toMatchObject({ status: 'completed', stop_reason: null, progress: { processed: rows, total: rows } });
    const full = checkOutput((await readTable(output)).rows, rows, (i) => stubAnswer(promptFor(i)));
    expect(full).toEqual({ answered: rows, notRun: 0, problems: [] });
    expect(stub.stats()).toMatchObject({ paid: rows, duplicates: 0 });
    const total = Array.from({ length: rows }, (_, i) => rowCost(i)).reduce((a, b) => a + b, 0);
    expect(done.cost_usd).toBeCloseTo(total, 10);
    expect(existsSync(home)).toBe(true);
  });

  it('a budget for a model without a price is refused before anything is sent (exit 2)', async () => {
    const { stub, run } = await benches.make(3);
    const result = await run(['-m', 'openai:my-local-model', '--max-cost', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('evalctl: --max-cost needs a price for my-local-model');
    expect(stub.stats().requests).toBe(0);
  });
});

describe('the response cache', () => {
  it.each([
    // first run's flags, second run's flags, requests the second run makes (of 5 rows)
    [[], [], 0],
    [[], ['--no-cache'], 5],
    [['--no-cache'], [], 5],
    [['--temperature', '0.7'], ['--temperature', '0.7'], 5],
    [[], ['--system', 'Be terse.'], 5],
    [[], ['--max-tokens', '50'], 5],
  ])('%j then %j: %i requests the second time', async (first, second, requests) => {
    const { stub, root, run, prompts } = await benches.make(5);
    expect((await run(['-o', join(root, 'a.csv'), ...first])).code).toBe(0);
    expect(stub.stats().paid).toBe(5);
    stub.reset();
    const output = join(root, 'b.csv');
    const result = await run(['-o', output, ...second]);
    expect(result.code, result.stderr).toBe(0);
    expect(stub.stats().requests).toBe(requests);
    expect((await readTable(output)).rows.map((row) => row.answer)).toEqual(prompts.map(stubAnswer));
    expect(result.stderr).toContain(requests === 0 ? '5 done, 0 failed, 5 from the cache (of 5)' : '5 done, 0 failed (of 5)');
  });
});

describe('identical prompts within one run', () => {
  const TEXTS = ['a', 'b', 'a', 'c', 'a', 'b', 'a', 'd', 'c', 'a'];
  it.each([
    // flags, requests paid
    [[], 4],
    [['--no-cache'], 4],
    [['--temperature', '0.7'], 10],
  ])('%j: %i paid for 10 rows of 4 distinct texts; every row answered', async (flags, paid) => {
    const { stub, root, env } = await benches.make(1, { latencyMs: 50 });
    writeFileSync(join(root, 'dupes.csv'), `review\n${TEXTS.join('\n')}\n`);
    const output = join(root, 'out.csv');
    const result = await runCli(['create', 'dupes.csv', '-p', PROMPT, '-o', output, '-c', '2', ...flags], { cwd: root, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect((await readTable(output)).rows.map((row) => row.prediction)).toEqual(TEXTS.map((text) => stubAnswer(`Classify: ${text}`)));
    expect(stub.stats().paid).toBe(paid);
    if (paid === 4) for (const text of new Set(TEXTS)) expect(stub.paidCount(`Classify: ${text}`)).toBe(1);
    expect(result.stderr).toContain(paid === 4 ? '10 done, 0 failed, 6 repeated prompts (sent once) (of 10)' : '10 done, 0 failed (of 10)');
  });
});

describe('--dry-run', () => {
  it('shows the prompts, rows, tokens (OpenAI tokenizer) and cost range; makes no request and no job', async () => {
    const { stub, home, run, prompts } = await benches.make(5);
    const result = await run(['--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const tokens = prompts.reduce((sum, prompt) => sum + countTokens(prompt) + 4, 0);
    const low = (tokens * PRICE.input + 5 * 5 * PRICE.output) / 1e6;
    const high = (tokens * PRICE.input + 5 * 256 * PRICE.output) / 1e6;
    for (const text of [
      'Dry run: no requests will be made.',
      `--- prompt 1 ---\n${prompts[0]}\n--- prompt 2 ---\n${prompts[1]}\n--- prompt 3 ---\n${prompts[2]}\n---\n`,
      '  rows           5\n',
      `  input tokens   ${tokens} (OpenAI's tokenizer)`,
      '  output tokens  5 to 256 a row (assumed; set --max-tokens to bound it)',
      `  cost           $${low.toFixed(6)} to $${high.toFixed(6)} with gpt-4o-mini`,
    ]) expect(result.stderr).toContain(text);
    expect(result.stderr).not.toContain(prompts[3]);
    expect(stub.stats().requests).toBe(0);
    expect(existsSync(join(home, 'jobs'))).toBe(false);
  });

  it('--json: the estimate as JSON on stdout (Anthropic: four characters a token, output bounded by --max-tokens)', async () => {
    const { stub, run, prompts } = await benches.make(5);
    const result = await run(['--dry-run', '--json', '--max-tokens', '10'], { wire: 'anthropic' });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const tokens = prompts.reduce((sum, prompt) => sum + Math.ceil(prompt.length / 4), 0);
    const price = PRICES['claude-haiku-4-5'];
    expect(report).toMatchObject({ dry_run: true, rows: 5, input_tokens: tokens });
    expect(report.variants).toMatchObject([{
      name: 'claude_haiku_4_5', model: 'claude-haiku-4-5', prompts: prompts.slice(0, 3),
      input_tokens: tokens, input_tokens_method: 'characters', measured_rows: 5,
      output_tokens_per_row: { low: 5, high: 10 }, output_tokens_assumed: false,
    }]);
    expect(report.cost_usd.low).toBeCloseTo((tokens * price.input + 25 * price.output) / 1e6, 12);
    expect(report.cost_usd.high).toBeCloseTo((tokens * price.input + 50 * price.output) / 1e6, 12);
    expect(stub.stats().requests).toBe(0);
  });
});

describe('pacing and progress', () => {
  it('--rpm 120 spreads 6 requests over about 2 s (2 at once, then one every 0.5 s)', async () => {
    const { stub, root, run, prompts } = await benches.make(6);
    const arrivals: number[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const seen = stub.stats({ prompts: false }).requests;
        while (arrivals.length < seen) arrivals.push(performance.now());
        await sleep(10);
      }
    })();
    const output = join(root, 'out.csv');
    const result = await run(['-o', output, '--rpm', '120']);
    watching = false;
    await watch;
    expectAnswered(result, (await readTable(output)).rows, prompts, { stub, output, target: 'answer' });
    expect(arrivals).toHaveLength(6);
    // 2.0 s in theory; unpaced, the six arrive within a few milliseconds of each other.
    expect(arrivals[5] - arrivals[0]).toBeGreaterThanOrEqual(1600);
    expect(arrivals[5] - arrivals[0]).toBeLessThan(6000);
  });

  it('plain progress lines say when and why the run is backing off, and that concurrency was cut', async () => {
    const { stub, root, run, prompts } = await benches.make(16, { failFirst: 2, failStatus: 429 });
    const output = join(root, 'out.csv');
    const result = await run(['-o', output], { env: { EVALCTL_PROGRESS_INTERVAL_MS: '200' } });
    expectAnswered(result, (await readTable(output)).rows, prompts, { stub, output, target: 'answer' });
    expect(result.stderr).toMatch(/^progress: \d+\/16 rows .*, backing off: rate limited \(429\), retry in \d+\.\ds, concurrency [1-4]$/m);
  });

  it('status of a detached job says when it is backing off, and why', async () => {
    // Every prompt is refused twice with a 3 s retry-after, so the job spends most of its time waiting.
    const { root, env, run } = await benches.make(8, { failFirst: 2, failStatus: 429, retryAfterSeconds: 3 });
    const started = await run(['-o', join(root, 'out.csv'), '--detach']);
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();
    let seen: { reason: string; until: number; concurrency: number } | null = null;
    for (let i = 0; i < 50 && !seen; i++) {
      const status = await runCli(['status', id, '--json'], { cwd: root, env: env() });
      seen = JSON.parse(status.stdout).backoff ?? null;
      if (!seen) await sleep(200);
    }
    expect(seen).toMatchObject({ reason: 'rate limited (429)' });
    expect(seen!.until).toBeGreaterThan(Date.now() - 5000);
    const text = await runCli(['status', id], { cwd: root, env: env() });
    expect(text.stdout).toMatch(/backing off: rate limited \(429\)|completed/);
    await runCli(['cancel', id], { cwd: root, env: env() });
  });
});
