// An output path belongs to one job from the moment it is chosen: two creates racing for one
// name never both write it; a job whose output another job took over refuses to write it.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir, type CliResult } from '../helpers/cli.js';
import { errorLines } from '../helpers/faults.js';
import { checkOutput, jobIds, PROMPT, promptFor, reviewsCsv, statusJson, stubEnv, waitFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

const ROWS = 40;
const answerFor = (i: number) => stubAnswer(promptFor(i));
/** Each race runs this many times: one lucky ordering proves nothing. */
const RACES = 3;

let stub: Stub;
let temp: ReturnType<typeof tempDir>;
let n = 0;

beforeAll(async () => {
  // 40 rows at 4 in flight, 80 ms a request: each run takes about a second, so the two overlap.
  stub = await startStub({ latencyMs: 80 });
  temp = tempDir('evalctl-ownership-');
});

afterAll(async () => {
  await stub?.close();
  temp?.cleanup();
});

beforeEach(() => stub.reset());

/** A fresh directory with `reviews.csv` (ROWS rows) and its own job store. */
async function world(rows = ROWS) {
  const root = join(temp.dir, `w${++n}`);
  mkdirSync(root);
  const input = await reviewsCsv(root, 'reviews.csv', rows);
  const home = join(root, 'home');
  const env = stubEnv(stub, home);
  const create = (args: string[]) => ['create', input, '-p', PROMPT, '-t', 'answer', '-c', '4', '--no-cache', ...args];
  return { root, input, home, env, create };
}

async function expectComplete(path: string, rows = ROWS): Promise<void> {
  const check = checkOutput((await readTable(path)).rows, rows, answerFor);
  expect(check.problems, path).toEqual([]);
  expect(check.answered).toBe(rows);
}

function expectOneLine(result: CliResult): string {
  const lines = errorLines(result.stderr);
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  return lines[0];
}

describe('two creates at the same time', () => {
  for (let race = 1; race <= RACES; race++) {
    it(`with the default name get distinct outputs, each complete (race ${race})`, async () => {
      const w = await world();
      const runs = [startCli(w.create(['--json']), { cwd: w.root, env: w.env }), startCli(w.create(['--json']), { cwd: w.root, env: w.env })];
      const results = await Promise.all(runs.map((r) => r.done));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const outputs = results.map((r) => JSON.parse(r.stdout).output as string);
      expect(outputs.map((o) => basename(o)).sort()).toEqual(['reviews.answer-2.csv', 'reviews.answer.csv']);
      for (const output of outputs) await expectComplete(output);
      // Every row was sent by each job once: nobody's answers were written over.
      expect(stub.stats().paid).toBe(2 * ROWS);
    });
  }

  for (let race = 1; race <= RACES; race++) {
    it(`with the same -o: one writes it, the other exits 1 naming the winner (race ${race})`, async () => {
      const w = await world();
      const output = join(w.root, 'out.csv');
      const runs = [startCli(w.create(['-o', output, '--json']), { cwd: w.root, env: w.env }), startCli(w.create(['-o', output, '--json']), { cwd: w.root, env: w.env })];
      const results = await Promise.all(runs.map((r) => r.done));
      const winners = results.filter((r) => r.code === 0);
      const losers = results.filter((r) => r.code !== 0);
      expect(winners, results.map((r) => r.stderr).join('\n---\n')).toHaveLength(1);
      expect(losers[0].code).toBe(1);
      expect(losers[0].stdout).toBe('');
      const winner = JSON.parse(winners[0].stdout).id as string;
      expect(expectOneLine(losers[0])).toMatch(new RegExp(`^evalctl: The output ${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (is being written by|belongs to) job ${winner} `));
      await expectComplete(output);
      // The loser leaves no job behind.
      expect(jobIds(w.home)).toEqual([winner]);
    });
  }
});

describe('an output held by a job', () => {
  it('is refused to another create while it runs, even with --overwrite; taken over with --overwrite once it stops; its resume then refuses', async () => {
    const w = await world(400);
    const output = join(w.root, 'out.csv');
    const first = await runCli(w.create(['-o', output, '-c', '2', '--detach']), { cwd: w.root, env: w.env });
    expect(first.code, first.stderr).toBe(0);
    const a = first.stdout.trim();
    await waitFor('job A to run', async () => (await statusJson(a, w.root, w.env)).status === 'running');

    const refused = await runCli(w.create(['-o', output, '--overwrite']), { cwd: w.root, env: w.env });
    expect(refused.code).toBe(1);
    expect(expectOneLine(refused)).toContain(`is being written by job ${a} (running)`);
    expect(jobIds(w.home)).toEqual([a]);

    const cancelled = await runCli(['cancel', a], { cwd: w.root, env: w.env });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(existsSync(output)).toBe(true);

    const taken = await runCli(w.create(['-o', output, '--overwrite', '--sample', '5', '--json']), { cwd: w.root, env: w.env });
    expect(taken.code, taken.stderr).toBe(0);
    const b = JSON.parse(taken.stdout).id as string;
    await expectComplete(output, 5);

    stub.reset();
    const resumed = await runCli(['resume', a], { cwd: w.root, env: w.env });
    expect(resumed.code).toBe(1);
    expect(errorLines(resumed.stderr)[0]).toContain(`The output ${output} of job ${a} now belongs to job ${b} (completed)`);
    expect(stub.stats().requests).toBe(0);
    await expectComplete(output, 5);
  });

  it('of a job no longer in the store is taken over, even for the default name', async () => {
    const w = await world(5);
    const first = await runCli(w.create(['--json']), { cwd: w.root, env: w.env });
    expect(first.code, first.stderr).toBe(0);
    const { id, output } = JSON.parse(first.stdout);
    expect(basename(output)).toBe('reviews.answer.csv');
    rmSync(join(w.home, 'jobs', id), { recursive: true });
    rmSync(output);

    const second = await runCli(w.create(['--json']), { cwd: w.root, env: w.env });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).output).toBe(output);
    await expectComplete(output, 5);
  });

  it('a dry run reserves nothing', async () => {
    const w = await world(5);
    const result = await runCli(w.create(['--dry-run']), { cwd: w.root, env: w.env });
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(w.root).sort()).toEqual(['reviews.csv']);
  });
});
