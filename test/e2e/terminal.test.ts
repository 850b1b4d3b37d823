// What a person at a terminal sees: colour decided per stream, the terminal's width, closed
// pipes, failed rows in status and list, and Ctrl-C over a live progress bar. Runs the CLI on a
// real pseudo-terminal (util-linux `script`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli, tempDir } from '../helpers/cli.js';
import { answerLines, jobIds, PROMPT, reviewsCsv, stubEnv, waitFor } from '../helpers/jobs.js';
import { plain, runPty, screenLines, startPty } from '../helpers/pty.js';
import { startStub, type Stub } from '../stub/server.js';

const ESC = '\u001b[';

describe('on a terminal', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let failedJob: string;

  beforeAll(async () => {
    // Rows 3 and 7 fail on every attempt (500, no retries): a job that completes with 2 failed.
    stub = await startStub({ failPrompts: ['review 3', 'review 7'], failPromptsStatus: 500 });
    temp = tempDir();
    env = stubEnv(stub, join(temp.dir, 'home'));
    const source = await reviewsCsv(temp.dir, 'reviews.csv', 10);
    const run = await runCli(['create', source, '-p', PROMPT, '--max-retries', '0', '-o', join(temp.dir, 'out.csv'), '--name', 'a-job-with-a-rather-long-name-that-runs-past-the-edge'], { cwd: temp.dir, env });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('completed with 2 failed');
    failedJob = jobIds(env.EVALCTL_HOME)[0];
  });
  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  it.each([
    { name: 'list on a terminal: colour, and no line wider than 60 columns', args: ['list'], columns: 60, colour: true },
    { name: 'status on a terminal: colour', args: ['status'], columns: 120, colour: true },
    { name: 'NO_COLOR=1 on a terminal: no colour', args: ['list'], columns: 120, colour: false, extra: { NO_COLOR: '1' } },
    { name: 'TERM=dumb: no colour', args: ['status'], columns: 120, colour: false, extra: { TERM: 'dumb' } },
  ])('$name', async ({ args, columns, colour, extra }) => {
    const result = await runPty(args, { cwd: temp.dir, env: { ...env, ...extra }, columns });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout.includes(ESC)).toBe(colour);
    expect(plain(result.stdout)).toContain('completed with 2 failed');
    if (colour) expect(result.stdout).toContain(`${ESC}33mcompleted with 2 failed`);
    for (const line of plain(result.stdout).split(/\r?\n/)) expect(line.length, line).toBeLessThanOrEqual(columns);
  });

  it.each([
    { name: 'stdout to a file, stderr on the terminal: the file is plain', args: ['status'], extra: {} },
    { name: 'FORCE_COLOR=0 on the terminal: plain', args: ['status'], extra: { FORCE_COLOR: '0' } },
  ])('$name', async ({ args, extra }) => {
    const file = join(temp.dir, `status-${Object.keys(extra).length}.txt`);
    const result = await runPty(args, { cwd: temp.dir, env: { ...env, ...extra }, stdoutTo: file });
    expect(result.code, result.stdout).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`Job ${failedJob} (a-job-with-a-rather-long-name-that-runs-past-the-edge): completed with 2 failed`);
    expect(text).not.toContain(ESC);
  });

  it('FORCE_COLOR=1 colours a pipe', async () => {
    const result = await runCli(['list'], { cwd: temp.dir, env: { ...env, FORCE_COLOR: '1' } });
    expect(result.stdout).toContain(`${ESC}33mcompleted with 2 failed`);
    const piped = await runCli(['list'], { cwd: temp.dir, env });
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout).toMatch(new RegExp(`^${failedJob}  completed with 2 failed +10/10 `));
  });

  it.each([['list'], ['status'], ['status', '--json'], ['list', '--json'], ['--help']])('evalctl %s | (a reader that has gone): exit 0, nothing on stderr', async (...args) => {
    // `true` exits without reading, so every write to the pipe fails with EPIPE.
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const shell = spawn('bash', ['-c', `"${process.execPath}" "${BIN}" ${args.join(' ')} | true; echo "\${PIPESTATUS[0]}"`], { cwd: temp.dir, env: cleanEnv(env) });
      let stdout = '';
      let stderr = '';
      shell.stdout.on('data', (d) => { stdout += d; });
      shell.stderr.on('data', (d) => { stderr += d; });
      shell.on('close', () => resolve({ code: Number(stdout.trim()), stderr }));
    });
    expect(result).toEqual({ code: 0, stderr: '' });
  });
});

describe('Ctrl-C over the progress bar', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    stub = await startStub({ latencyMs: 100 });
    temp = tempDir();
  });
  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  it('clears the bar, then says it is cancelling; the stopped job shows no rate or ETA', async () => {
    const home = join(temp.dir, 'home');
    const env = stubEnv(stub, home);
    const source = await reviewsCsv(temp.dir, 'many.csv', 400);
    const run = startPty(['create', source, '-p', PROMPT, '-c', '2', '--no-cache', '-o', join(temp.dir, 'many-out.csv')], { cwd: temp.dir, env, columns: 100 });
    const id = await waitFor('the job to start', () => jobIds(home)[0]);
    await waitFor('some answers and a drawn bar', () => answerLines(home, id).length >= 5 && run.output().includes('rows/s'), 30_000, 50);
    run.type('\u0003');
    const result = await run.done;
    expect(result.code, result.stdout).toBe(130);
    // On screen, the notice has a line of its own: the bar was erased before it was written
    // (the terminal's own echo of the key, ^C, may stay).
    const notice = screenLines(result.stdout).find((line) => line.includes('Cancelling:'));
    expect(notice, result.stdout).toMatch(/^(\^C)?Cancelling: keeping every answer/);
    expect(plain(result.stdout)).toMatch(new RegExp(`Job ${id} cancelled`));

    const status = await runCli(['status', id], { cwd: temp.dir, env });
    expect(status.stdout).toMatch(/progress {3}\d+\/400 rows \(\d+%\), [\d,]+ tokens/);
    expect(status.stdout).not.toMatch(/rows\/s|ETA/);
    expect(status.stderr).toContain(`Resume with \`evalctl resume ${id}\`.`);
  });
});
