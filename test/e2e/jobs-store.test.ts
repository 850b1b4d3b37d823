// One store, several jobs: two detached runs at once, `list`, the refusals of `resume` and
// `status`, and no API key in any file a job leaves behind.
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { checkOutput, PROMPT, promptFor, reviewsCsv, statusJson, storedRecord, stubEnv, waitFor } from '../helpers/jobs.js';
import { literal } from '../../src/core/sql.js';
import { duckdb, readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

const KEY = 'sk-test-never-store-me-4242424242';
const ROWS = 400;

describe('a store with several jobs', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let home: string;
  let env: Record<string, string>;
  const ids: Record<string, string> = {};

  const create = (file: string, ...extra: string[]) =>
    runCli(['create', file, '--prompt', PROMPT, '-t', 'answer', '-c', '4', ...extra], { cwd: temp.dir, env, timeoutMs: 90_000 });

  beforeAll(async () => {
    stub = await startStub({ latencyMs: 50, failPrompts: ['gamma 7'] });
    temp = tempDir();
    home = join(temp.dir, 'home');
    env = stubEnv(stub, home, KEY);
  });

  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  it('runs two detached jobs at once, each to its own correct output', async () => {
    const a = await reviewsCsv(temp.dir, 'a.csv', ROWS, 'alpha');
    const b = await reviewsCsv(temp.dir, 'b.csv', ROWS, 'beta');
    for (const [name, file] of [['a', a], ['b', b]]) {
      const result = await create(file, '--detach', '--name', `job ${name}`, '-o', join(temp.dir, `${name}.out.csv`));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^[a-z2-9]{6}\n$/);
      ids[name] = result.stdout.trim();
    }
    const jobs: Record<string, any> = {};
    for (const name of ['a', 'b']) {
      // --watch follows the job until it ends, then prints it; its exit code is the job's.
      const watched = await runCli(['status', ids[name], '--watch', '--json'], { cwd: temp.dir, env, timeoutMs: 60_000 });
      expect(watched.code, watched.stderr).toBe(0);
      const job = (jobs[name] = JSON.parse(watched.stdout));
      expect(job).toMatchObject({ status: 'completed', name: `job ${name}`, progress: { processed: ROWS, total: ROWS }, failed_rows: 0 });
      const { rows } = await readTable(join(temp.dir, `${name}.out.csv`));
      const tag = name === 'a' ? 'alpha' : 'beta';
      expect(checkOutput(rows, ROWS, (i) => stubAnswer(promptFor(i, tag)))).toMatchObject({ answered: ROWS, problems: [] });
    }
    expect(Date.parse(jobs.b.started_at)).toBeLessThan(Date.parse(jobs.a.completed_at));
    expect(stub.stats().duplicates).toBe(0);
    expect(stub.stats().paid).toBe(2 * ROWS);
  });

  it('list shows both jobs, newest first', async () => {
    const text = await runCli(['list'], { cwd: temp.dir, env });
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${ids.b}\\s+completed\\s+${ROWS}/${ROWS}\\s.*gpt-4o-mini.*job b$`));
    expect(lines[1]).toMatch(new RegExp(`^${ids.a}\\s+completed\\s+${ROWS}/${ROWS}\\s.*job a$`));

    const json = await runCli(['list', '--json'], { cwd: temp.dir, env });
    expect(JSON.parse(json.stdout).map((job: { id: string }) => job.id)).toEqual([ids.b, ids.a]);
  });

  it('status without an id shows the latest job', async () => {
    const result = await runCli(['status', '--json'], { cwd: temp.dir, env });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).id).toBe(ids.b);
  });

  it('refuses to resume a completed job', async () => {
    const result = await runCli(['resume', ids.a], { cwd: temp.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Job ${ids.a} is already completed; its output is ${join(temp.dir, 'a.out.csv')}`);
    expect(stub.stats().paid).toBe(2 * ROWS);
  });

  it('refuses to resume a job whose source changed, leaving the job as it was; resumes it once restored', async () => {
    const source = await reviewsCsv(temp.dir, 'c.csv', 20, 'gamma');
    // Row 7 is rejected by the stub: the job completes with one failed row, resumable.
    const first = await create(source, '-o', join(temp.dir, 'c.out.csv'), '--json');
    expect(first.code, first.stderr).toBe(3);
    const id = JSON.parse(first.stdout).id;
    const before = storedRecord(home, id);
    expect(before).toMatchObject({ status: 'completed', failed_rows: 1 });

    appendFileSync(source, '20,gamma 20\n');
    const result = await runCli(['resume', id], { cwd: temp.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`evalctl: The source ${source} changed since job ${id} started`);
    expect(result.stderr).toContain('evalctl create');
    expect(storedRecord(home, id)).toEqual(before);

    // The same content again: resume sends only the failed row, and the counts stay exact.
    await reviewsCsv(temp.dir, 'c.csv', 20, 'gamma');
    stub.configure({ failPrompts: [] });
    const paid = stub.stats().paid;
    const resumed = await runCli(['resume', id, '--json'], { cwd: temp.dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', progress: { processed: 20, total: 20 }, failed_rows: 0 });
    expect(stub.stats().paid).toBe(paid + 1);
    const { rows } = await readTable(join(temp.dir, 'c.out.csv'));
    expect(checkOutput(rows, 20, (i) => stubAnswer(promptFor(i, 'gamma')))).toMatchObject({ answered: 20, problems: [] });
  });

  it('refuses to resume a cancelled job whose source had one byte changed in the middle, size unchanged', async () => {
    // ~200 KB, so the middle is far from the first and last 64 KiB that evalctl 0.1 hashed.
    const source = join(temp.dir, 'm.csv');
    await duckdb(`COPY (SELECT i AS id, 'mu ' || i AS review, repeat('x', 500) AS notes FROM range(${ROWS}) t(i)) TO ${literal(source)} (FORMAT csv, HEADER true)`);
    const created = await create(source, '--detach', '-o', join(temp.dir, 'm.out.csv'));
    const id = created.stdout.trim();
    await waitFor('progress', async () => (await statusJson(id, temp.dir, env)).progress.processed >= 10);
    const cancelled = await runCli(['cancel', id], { cwd: temp.dir, env });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const before = storedRecord(home, id);
    expect(before.source.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);

    const original = readFileSync(source);
    const edited = Buffer.from(original);
    const middle = edited.indexOf('x', Math.floor(edited.length / 2));
    expect(middle - 64 * 1024).toBeGreaterThan(0);
    expect(edited.length - middle).toBeGreaterThan(64 * 1024);
    edited[middle] = 'y'.charCodeAt(0);
    writeFileSync(source, edited);
    expect(statSync(source).size).toBe(original.length);
    const result = await runCli(['resume', id], { cwd: temp.dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(`evalctl: The source ${source} changed since job ${id} started (size or content differs); its answers would land on the wrong rows.`);
    expect(storedRecord(home, id)).toEqual(before);

    writeFileSync(source, original);
    const resumed = await runCli(['resume', id, '--json'], { cwd: temp.dir, env, timeoutMs: 60_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', progress: { processed: ROWS } });
  });

  it.each([
    ['status', 'zzzzzz'],
    ['resume', 'zzzzzz'],
    ['cancel', 'zzzzzz'],
  ])('%s of an unknown id is an error', async (command, id) => {
    const result = await runCli([command, id], { cwd: temp.dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`evalctl: No job "${id}" in ${home}.`);
    expect(result.stderr).toContain('evalctl list');
  });

  it('status in an empty store says there are no jobs', async () => {
    const result = await runCli(['status'], { cwd: temp.dir, env: { ...env, EVALCTL_HOME: join(temp.dir, 'empty') } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No jobs in');
  });

  it('a detached job killed with SIGKILL shows as crashed at once and resumes to completion', async () => {
    const file = await reviewsCsv(temp.dir, 'k.csv', ROWS, 'kappa');
    const output = join(temp.dir, 'k.out.csv');
    const created = await create(file, '--detach', '-o', output);
    const id = created.stdout.trim();
    const running = await waitFor('progress', async () => {
      const job = await statusJson(id, temp.dir, env);
      return job.status === 'running' && job.progress.processed >= 20 && job;
    });
    process.kill(running.pid, 'SIGKILL');
    // No waiting: a killed process is crashed even while it is still an unreaped zombie.
    expect(await statusJson(id, temp.dir, env)).toMatchObject({ status: 'errored', stop_reason: 'crashed', pid: null });
    const resumed = await runCli(['resume', id], { cwd: temp.dir, env, timeoutMs: 60_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const { rows } = await readTable(output);
    expect(checkOutput(rows, ROWS, (i) => stubAnswer(promptFor(i, 'kappa')))).toMatchObject({ answered: ROWS, problems: [] });
    expect(await statusJson(id, temp.dir, env)).toMatchObject({ status: 'completed', progress: { processed: ROWS } });
  });

  it('never writes the API key into job.json, answers.jsonl or run.log', () => {
    const files = readdirSync(join(home, 'jobs'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    const names = files.map((file) => file.split('/').pop());
    expect(names).toEqual(expect.arrayContaining(['job.json', 'answers.jsonl', 'run.log']));
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toContain(KEY.slice(8));
    // The failed row's error made it into the log, so the key check saw error text too.
    expect(files.some((file) => readFileSync(file, 'utf8').includes('prompt rejected'))).toBe(true);
  });
});
