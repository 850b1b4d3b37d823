// Ctrl-C on a foreground run: the first cancels gracefully (exit 130, partial output, status
// cancelled); a second exits at once, keeping every answer, and the job resumes to completion.
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../helpers/cli.js';
import { answerLines, beforeExit, checkOutput, jobIds, PROMPT, promptFor, reviewsCsv, statusJson, stubEnv, waitFor } from '../helpers/jobs.js';
import { duckdb, readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

const ROWS = 1000;
const CONCURRENCY = 8;
const answerFor = (i: number) => stubAnswer(promptFor(i));

describe('Ctrl-C on a foreground run', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let source: string;
  let wide: string;

  beforeAll(async () => {
    stub = await startStub({ latencyMs: 50 });
    temp = tempDir();
    source = await reviewsCsv(temp.dir, 'reviews.csv', ROWS);
    // 16 KB of padding a row: writing the partial output takes a while, time for a second Ctrl-C.
    wide = join(temp.dir, 'wide.csv');
    await duckdb(`COPY (SELECT i AS id, 'review ' || i AS review, repeat(md5(i::VARCHAR), 500) AS padding FROM range(${ROWS}) t(i)) TO '${wide}' (HEADER)`);
  });
  beforeEach(() => stub.reset());
  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  /** Starts a foreground create in a store of its own; resolves once `answered` answers are logged. */
  async function startRun(name: string, answered: number, input = source) {
    const home = join(temp.dir, name);
    const env = stubEnv(stub, home);
    const output = join(temp.dir, `${name}.csv`);
    const run = startCli(['create', input, '--prompt', PROMPT, '-t', 'answer', '-c', String(CONCURRENCY), '-o', output, '--no-cache'], { cwd: temp.dir, env });
    const id = await beforeExit(run, waitFor('the job to start', () => jobIds(home)[0]));
    await beforeExit(run, waitFor(`${answered} answers`, () => answerLines(home, id).length >= answered, 30_000, 20));
    return { home, env, output, run, id };
  }

  it('the first SIGINT cancels: exit 130, partial output with every row, status cancelled', async () => {
    const { home, env, output, run, id } = await startRun('once', 100);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('Cancelling: keeping every answer received and writing the partial output');
    expect(result.stderr).toMatch(new RegExp(`Job ${id} cancelled`));

    const job = await statusJson(id, temp.dir, env);
    expect(job).toMatchObject({ status: 'cancelled', stop_reason: 'cancelled', pid: null, failed_rows: 0 });
    const { rows } = await readTable(output);
    const check = checkOutput(rows, ROWS, answerFor);
    expect(check.problems).toEqual([]);
    expect(check.answered).toBe(job.progress.processed);
    expect(check.answered).toBeGreaterThanOrEqual(100);
    expect(check.notRun).toBe(ROWS - check.answered);
    expect(answerLines(home, id).filter((a) => a.error !== null)).toEqual([]);
  });

  it('`evalctl cancel` stops a foreground run the same way', async () => {
    const { env, output, run, id } = await startRun('cancelled', 100);
    const cancel = await runCli(['cancel', id, '--json'], { cwd: temp.dir, env });
    expect(cancel.code, cancel.stderr).toBe(0);
    const result = await run.done;
    expect(result.code).toBe(130);
    const job = JSON.parse(cancel.stdout);
    expect(job).toMatchObject({ id, status: 'cancelled', stop_reason: 'cancelled', pid: null });
    const { rows } = await readTable(output);
    expect(checkOutput(rows, ROWS, answerFor)).toMatchObject({ answered: job.progress.processed, notRun: ROWS - job.progress.processed, problems: [] });
  });

  it('a second SIGINT exits at once; answers stay durable; the job shows crashed and resumes', async () => {
    const { home, env, output, run, id } = await startRun('twice', 100, wide);
    run.child.kill('SIGINT');
    await waitFor('the first SIGINT to be taken', () => run.output().stderr.includes('Cancelling'), 10_000, 5);
    run.child.kill('SIGINT');
    const started = Date.now();
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.stderr).not.toMatch(new RegExp(`Job ${id} cancelled`));

    // Everything paid for before the first SIGINT is in the log (only in-flight requests may be lost).
    const kept = answerLines(home, id);
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(new Set(kept.map((a) => a.row)).size).toBe(kept.length);
    for (const a of kept) expect(a.answer).toBe(answerFor(a.row));

    const crashed = await statusJson(id, temp.dir, env);
    expect(crashed).toMatchObject({ status: 'errored', stop_reason: 'crashed', pid: null });
    expect(crashed.error_message).toContain(`evalctl resume ${id}`);
    expect(crashed.progress.processed).toBeLessThanOrEqual(kept.length);

    const resumed = await runCli(['resume', id, '-c', '32'], { cwd: temp.dir, env, timeoutMs: 90_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const { rows } = await readTable(output);
    expect(checkOutput(rows, ROWS, answerFor)).toMatchObject({ answered: ROWS, problems: [] });
    expect(await statusJson(id, temp.dir, env)).toMatchObject({ status: 'completed', progress: { processed: ROWS } });
    const counts = Object.values(stub.stats().paidByPrompt);
    expect(counts.filter((n) => n === 2).length).toBeLessThanOrEqual(CONCURRENCY);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
  });
});
