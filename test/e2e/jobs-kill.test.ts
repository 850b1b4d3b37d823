// A job killed with SIGKILL part-way resumes to exactly the output of an uninterrupted run,
// paying again only for the requests that were in flight when it died.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../helpers/cli.js';
import { answerLines, beforeExit, jobIds, checkOutput, PROMPT, promptFor, reviewsCsv, statusJson, storedRecord, stubEnv, waitFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

const ROWS = 5000;
const CONCURRENCY = 16;

describe('SIGKILL at ~40%, then resume', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let id: string;
  let output: string;
  let killedAt: number;
  let home: string;

  beforeAll(async () => {
    stub = await startStub({ latencyMs: 50 });
    temp = tempDir();
    home = join(temp.dir, 'home');
    env = stubEnv(stub, home);
    const source = await reviewsCsv(temp.dir, 'reviews.csv', ROWS);
    output = join(temp.dir, 'out.csv');

    // --no-cache: the response cache would hide double payments from the stub's count.
    const run = startCli(['create', source, '--prompt', PROMPT, '-m', 'gpt-4o-mini', '-t', 'answer', '-c', String(CONCURRENCY), '-o', output, '--no-cache'], { cwd: temp.dir, env });
    id = await beforeExit(run, waitFor('the job to be created', () => jobIds(home)[0]));
    await beforeExit(run, waitFor('40% of the answers', () => answerLines(home, id).length >= ROWS * 0.4, 60_000, 50));
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    killedAt = answerLines(home, id).length;

    // Its process is gone: reported as crashed, never claiming more than the answer log holds.
    const crashed = await statusJson(id, temp.dir, env);
    expect(crashed).toMatchObject({ status: 'errored', stop_reason: 'crashed', pid: null });
    expect(crashed.progress.processed).toBeLessThanOrEqual(killedAt);

    const resumed = await runCli(['resume', id], { cwd: temp.dir, env, timeoutMs: 90_000 });
    expect(resumed.stderr).toContain('already answered');
    expect(resumed.code, resumed.stderr).toBe(0);
  }, 150_000);

  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  it('was killed part-way, neither at the start nor at the end', () => {
    expect(killedAt).toBeGreaterThanOrEqual(ROWS * 0.4);
    expect(killedAt).toBeLessThan(ROWS * 0.9);
  });

  it('writes every row, in order, each with the right answer', async () => {
    const { rows, columns } = await readTable(output);
    expect(columns.map((c) => c.name)).toEqual(['id', 'review', 'answer', 'answer_status', 'answer_error']);
    const check = checkOutput(rows, ROWS, (i) => stubAnswer(promptFor(i)));
    expect(check.problems).toEqual([]);
    expect(check.answered).toBe(ROWS);
  });

  it('paid again only for requests in flight at the kill: at most 16 prompts twice, none three times', () => {
    const counts = Object.values(stub.stats().paidByPrompt);
    expect(counts.length).toBe(ROWS);
    expect(counts.filter((n) => n === 2).length).toBeLessThanOrEqual(CONCURRENCY);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
  });

  it('reports in status --json exactly what the output and the answer log hold', async () => {
    const job = await statusJson(id, temp.dir, env);
    expect(job).toMatchObject({ id, status: 'completed', progress: { processed: ROWS, total: ROWS }, failed_rows: 0, pid: null, error_message: null });
    const answers = answerLines(home, id);
    expect(new Set(answers.map((a) => a.row)).size).toBe(ROWS);
    const sum = (key: 'prompt_tokens' | 'completion_tokens') => answers.reduce((total, a) => total + a[key], 0);
    expect(job.prompt_tokens_used).toBe(sum('prompt_tokens'));
    expect(job.completion_tokens_used).toBe(sum('completion_tokens'));
    expect(job.tokens_used).toBe(sum('prompt_tokens') + sum('completion_tokens'));
    expect(job.prompt_tokens_used).toBeGreaterThan(0);
    expect(job.cost_usd).toBeCloseTo(answers.reduce((total, a) => total + a.cost, 0), 9);
    expect(storedRecord(home, id).progress.processed).toBe(ROWS);
  });
});
