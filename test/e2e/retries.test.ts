import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stubAnswer } from '../stub/server.js';
import { startCli } from '../helpers/cli.js';
import { expectAnswered } from '../helpers/create.js';
import { benchFactory, errorLines } from '../helpers/faults.js';
import { PROMPT, promptFor, waitFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';

// Row by row: what is retried, how often, and how a row that fails for good keeps its place
// with the reason in `<target>_error` while the run goes on (exit 3).

const benches = benchFactory();
afterAll(benches.close);

describe('retries', () => {
  it.each([500, 502, 408, 409, 429])('every row failing its first two attempts with %i is retried and answered', async (status) => {
    const { stub, root, run, prompts } = await benches.make(5, { failFirst: 2, failStatus: status });
    const output = join(root, 'out.csv');
    const result = await run(['-o', output]);
    expectAnswered(result, (await readTable(output)).rows, prompts, { stub, output, target: 'answer' });
    expect(stub.stats().requests).toBe(15);
  });

  it.each([
    // --max-retries, failures before each row succeeds, exit code, rows answered, requests
    ['0', 1, 3, 0, 4],
    ['1', 1, 0, 4, 8],
    ['1', 2, 3, 0, 8],
    ['2', 2, 0, 4, 12],
  ])('--max-retries %s with %i failure(s) a row: exit %i, %i answered, %i requests', async (maxRetries, failures, code, answered, requests) => {
    const { stub, root, run, prompts } = await benches.make(4, { failFirst: failures, failStatus: 503 });
    const output = join(root, 'out.csv');
    const result = await run(['-o', output, '--max-retries', maxRetries]);
    expect(result.code, result.stderr).toBe(code);
    const rows = (await readTable(output)).rows;
    expect(rows.filter((row, i) => row.answer === stubAnswer(prompts[i]) && row.answer_error === null)).toHaveLength(answered);
    for (const row of rows.filter((row) => row.answer === null)) {
      expect(row.answer_error).toMatch(/^OpenAI 503: stub failFirst/);
      if (maxRetries !== '0') expect(row.answer_error).toContain(`(gave up after ${Number(maxRetries) + 1} attempts)`);
    }
    expect(stub.stats().requests).toBe(requests);
    expect(stub.stats().paid).toBe(answered);
  });

  it('a row the provider rejects for good (400) keeps its place with the reason; the others are answered; exit 3', async () => {
    const { stub, root, run, prompts } = await benches.make(6, { failPrompts: ['review 3'] });
    const output = join(root, 'out.csv');
    const result = await run(['-o', output, '-c', '1']);
    expect(result.code, result.stderr).toBe(3);
    const rows = (await readTable(output)).rows;
    expect(rows.map((row) => row.id)).toEqual(['0', '1', '2', '3', '4', '5']);
    rows.forEach((row, i) => {
      if (i === 3) {
        expect(row.answer).toBeNull();
        expect(row.answer_error).toMatch(/^OpenAI 400: prompt rejected by stub failPrompts/);
      } else {
        expect(row).toMatchObject({ answer: stubAnswer(prompts[i]), answer_error: null });
      }
    });
    expect(stub.stats().byStatus).toEqual({ 200: 5, 400: 1 }); // a 400 is not retried
    expect(result.stderr).toContain('rows       5 done, 1 failed (of 6)');
    expect(result.stderr).toContain('answer_error');
    expect(errorLines(result.stderr)).toEqual([]);
  });
});

describe('--timeout', () => {
  it('a server that stops answering mid-run: the rows it left hanging fail with a timeout, the run goes on, exit 3', async () => {
    const { stub, root, input, env } = await benches.make(8, { latencyMs: 300 });
    const output = join(root, 'out.csv');
    const cli = startCli(['create', input, '-p', PROMPT, '-t', 'answer', '-o', output, '-c', '2', '--timeout', '1', '--max-retries', '1'], { cwd: root, env: env() });
    await waitFor('two answers', () => stub.stats().paid >= 2, 20_000, 10);
    stub.configure({ hang: true });
    const result = await cli.done;
    expect(result.code, result.stderr).toBe(3);
    const rows = (await readTable(output)).rows;
    const answered = rows.filter((row) => row.answer !== null);
    const timedOut = rows.filter((row) => row.answer === null);
    expect(answered.length).toBeGreaterThanOrEqual(2);
    expect(timedOut.length).toBeGreaterThanOrEqual(2);
    for (const row of answered) expect(row.answer).toBe(stubAnswer(promptFor(Number(row.id))));
    for (const row of timedOut) expect(row.answer_error).toBe('no answer within 1s (--timeout) (gave up after 2 attempts)');
    expect(stub.stats().paid).toBe(answered.length);
    expect(result.stderr).toContain(`rows       ${answered.length} done, ${timedOut.length} failed (of 8)`);
  });
});
