// A detached job can be watched, cancelled within seconds (answers kept, partial output with
// every row) and resumed to exactly the output of an uninterrupted run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { answerLines, checkOutput, PROMPT, promptFor, reviewsCsv, statusJson, stubEnv, waitFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

const ROWS = 1000;
const answerFor = (i: number) => stubAnswer(promptFor(i));

describe('create --detach, status, cancel, resume', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let home: string;
  let env: Record<string, string>;
  let source: string;
  let output: string;
  let id: string;

  beforeAll(async () => {
    stub = await startStub({ latencyMs: 50 });
    temp = tempDir();
    home = join(temp.dir, 'home');
    env = stubEnv(stub, home);
    source = await reviewsCsv(temp.dir, 'reviews.csv', ROWS);
    output = join(temp.dir, 'out.csv');
  });

  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  it('create --detach --json prints the queued record and returns at once', async () => {
    const started = Date.now();
    const result = await runCli(['create', source, '--prompt', PROMPT, '-t', 'answer', '-c', '4', '-o', output, '--detach', '--json'], { cwd: temp.dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const record = JSON.parse(result.stdout);
    expect(record).toMatchObject({ status: expect.stringMatching(/^(queued|running)$/), output, progress: { total: ROWS } });
    expect(record.pid).toBeGreaterThan(0);
    expect(result.stderr).toContain(`evalctl status ${record.id} --watch`);
    id = record.id;
  });

  it('status shows it running, with processed rising', async () => {
    const first = await waitFor('some progress', async () => {
      const job = await statusJson(id, temp.dir, env);
      return job.status === 'running' && job.progress.processed > 0 && job;
    });
    const later = await waitFor('more progress', async () => {
      const job = await statusJson(id, temp.dir, env);
      return job.progress.processed > first.progress.processed && job;
    });
    expect(later).toMatchObject({ status: 'running', pid: expect.any(Number), completed_at: null });
    expect(later.progress.processed).toBeLessThan(ROWS);

    const text = await runCli(['status', id], { cwd: temp.dir, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Job ${id}: running`));
    expect(text.stdout).toMatch(/rows \(\d+%\), [\d.]+ rows\/s, ETA \S+, [\d,]+ tokens/);
    expect(text.stdout).toContain(`output     ${output} (not written yet)`);
  });

  it('cancel stops it within seconds: no new requests, in-flight aborted, answers kept', async () => {
    const started = Date.now();
    const result = await runCli(['cancel', id], { cwd: temp.dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.stderr).toMatch(new RegExp(`Job ${id} cancelled: \\d+/${ROWS} rows answered; partial output ${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    await waitFor('in-flight requests to be aborted', () => stub.stats({ prompts: false }).inFlight === 0, 5_000);
    const requests = stub.stats({ prompts: false }).requests;
    await sleep(700);
    expect(stub.stats({ prompts: false }).requests).toBe(requests);
  });

  it('leaves a cancelled record and a partial output with every row', async () => {
    const job = await statusJson(id, temp.dir, env);
    expect(job).toMatchObject({ status: 'cancelled', stop_reason: 'cancelled', pid: null, failed_rows: 0, completed_at: null });
    expect(job.cancelled_at).toEqual(expect.any(String));

    const { rows } = await readTable(output);
    const check = checkOutput(rows, ROWS, answerFor);
    expect(check.problems).toEqual([]);
    expect(check.answered).toBe(job.progress.processed);
    expect(check.notRun).toBe(ROWS - job.progress.processed);
    expect(check.notRun).toBeGreaterThan(0);
    const notRun = rows.find((row) => row.answer === null)!;
    expect([notRun.answer_status, notRun.answer_error]).toEqual(['not_run', null]);

    // Rows in flight at the cancel are left without an outcome, not recorded as failures.
    const answers = answerLines(home, id);
    expect(answers.filter((a) => a.error !== null)).toEqual([]);
    expect(answers.length).toBe(job.progress.processed);
    expect(existsSync(join(home, 'jobs', id, 'run.log'))).toBe(true);
  });

  it('cancel of a job that is no longer running is refused', async () => {
    const result = await runCli(['cancel', id], { cwd: temp.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Job ${id} is not running (status: cancelled)`);
    expect(result.stderr).toContain(`evalctl resume ${id}`);
  });

  it('resume sends only the rows without an answer and ends equal to an uninterrupted run', async () => {
    const before = await statusJson(id, temp.dir, env);
    stub.reset();
    const result = await runCli(['resume', id, '-c', '16', '--json'], { cwd: temp.dir, env, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`(${before.progress.processed} already answered)`);
    const job = JSON.parse(result.stdout);
    expect(job).toMatchObject({ id, status: 'completed', progress: { processed: ROWS, total: ROWS }, cancelled_at: null, error_message: null });
    expect(stub.stats({ prompts: false }).paid).toBe(ROWS - before.progress.processed);
    expect(stub.stats({ prompts: false }).duplicates).toBe(0);

    const { rows } = await readTable(output);
    expect(checkOutput(rows, ROWS, answerFor)).toMatchObject({ answered: ROWS, problems: [] });

    // The same job run without interruption, in a store of its own (no shared cache).
    const fresh = join(temp.dir, 'fresh.csv');
    const straight = await runCli(['create', source, '--prompt', PROMPT, '-t', 'answer', '-c', '16', '-o', fresh], { cwd: temp.dir, env: { ...env, EVALCTL_HOME: join(temp.dir, 'home2') }, timeoutMs: 90_000 });
    expect(straight.code, straight.stderr).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(readFileSync(fresh, 'utf8'));
  });

  it('cancel right after create --detach, before the background process has started, still stops it', async () => {
    const early = join(temp.dir, 'early.csv');
    // Slow answers, and none from the cache (earlier tests here answered these prompts), so the
    // job cannot finish before `cancel` gets there on a busy machine.
    stub.configure({ latencyMs: 1000 });
    onTestFinished(() => stub.configure({ latencyMs: 50 }));
    const created = await runCli(['create', source, '--prompt', PROMPT, '-t', 'answer', '-o', early, '--detach', '--no-cache'], { cwd: temp.dir, env });
    expect(created.code, created.stderr).toBe(0);
    const earlyId = created.stdout.trim();
    const cancel = await runCli(['cancel', earlyId, '--json'], { cwd: temp.dir, env });
    expect(cancel.code, cancel.stderr).toBe(0);
    const job = JSON.parse(cancel.stdout);
    expect(job).toMatchObject({ id: earlyId, status: 'cancelled', pid: null });
    // It stays cancelled: nothing started later overwrites the record.
    await sleep(1_000);
    expect(await statusJson(earlyId, temp.dir, env)).toMatchObject({ status: 'cancelled', progress: { processed: job.progress.processed } });
    const { rows } = await readTable(early);
    expect(checkOutput(rows, ROWS, answerFor)).toMatchObject({ answered: job.progress.processed, notRun: ROWS - job.progress.processed, problems: [] });
  });
});
