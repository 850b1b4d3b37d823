// The interactive `create`: on a terminal, what is missing is asked for (file, prompt checked
// against the columns, model, answer column, ground truth) and the cost is shown before anything
// is sent; without a terminal, or with CI set, a missing argument is an error and nothing waits.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { jobIds, stubEnv, waitFor } from '../helpers/jobs.js';
import { plain, runPty, startPty } from '../helpers/pty.js';
import { startStub, type Stub } from '../stub/server.js';

const ENTER = '\r';
const BACKSPACE = '\u007f';

describe('evalctl create, asking', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let n = 0;

  beforeAll(async () => {
    stub = await startStub();
    temp = tempDir();
    writeFileSync(join(temp.dir, 'tickets.csv'), 'id,message,label\n1,refund please,billing\n2,app crashes,technical\n3,forgot password,account\n');
  });
  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  /** A terminal session; `answer` waits for a question, then types at a person's pace. */
  function session(args: string[], command = 'create', cwd = temp.dir) {
    const home = join(temp.dir, `home-${(n += 1)}`);
    const run = startPty([command, ...args], { cwd, env: stubEnv(stub, home), columns: 100 });
    let seen = 0;
    const answer = async (question: string, keys: string) => {
      await waitFor(`the question "${question}"`, () => plain(run.output()).indexOf(question, seen) >= 0 && plain(run.output()).indexOf(question, seen) + 1, 20_000, 50);
      seen = plain(run.output()).indexOf(question, seen) + question.length;
      await sleep(300);
      for (const key of keys) { run.type(key); await sleep(25); }
    };
    return { run, answer, home };
  }

  it('asks for everything, checks the prompt against the columns, shows the cost, then runs', async () => {
    const { run, answer, home } = session([]);
    await answer('Which file?', `tickets.csv${ENTER}`);
    await answer('id, message, label', '');
    await answer('Prompt?', `Label: {mesage}${ENTER}`);
    await answer('There is no column "mesage". Did you mean "message"?', `${BACKSPACE.repeat(8)}{message}${ENTER}`);
    await answer('Model?', `${BACKSPACE.repeat(20)}gpt-4o-mini${ENTER}`);
    await answer('Name of the answer column?', `${BACKSPACE.repeat(20)}intent${ENTER}`);
    await answer('ground-truth column?', ENTER);
    await answer('3 rows with gpt-4o-mini: estimated cost $', ENTER);
    const result = await run.done;
    expect(result.code, plain(result.stdout)).toBe(0);
    const [id] = jobIds(home);
    const job = JSON.parse((await runCli(['status', id, '--json'], { cwd: temp.dir, env: stubEnv(stub, home) })).stdout);
    expect(job.settings).toMatchObject({ target_column: 'intent', scoring: { ground_truth: 'label' } });
    expect(job.settings.variants[0]).toMatchObject({ model: 'gpt-4o-mini', prompt: 'Label: {message}' });
    expect(job.progress).toEqual({ processed: 3, total: 3 });
  });

  it('asks only for what is missing; saying no at the cost sends nothing (exit 130)', async () => {
    const before = stub.stats().requests;
    const { run, answer, home } = session(['tickets.csv', '-m', 'gpt-4o-mini', '-t', 'x']);
    await answer('Prompt?', `Say {message}${ENTER}`);
    await answer('ground-truth column?', `\u001b[B${ENTER}`);
    await answer('estimated cost', `n${ENTER}`);
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(plain(result.stdout)).toContain('Nothing sent.');
    expect(plain(result.stdout)).not.toMatch(/Which file|Model\?|answer column/);
    expect(jobIds(home)).toEqual([]);
    expect(stub.stats().requests).toBe(before);
  });

  it('evalctl init asks the same questions and writes a config that create then runs with', async () => {
    const cwd = join(temp.dir, 'project');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'data.csv'), 'id,text,expected\n1,hello,greeting\n2,bye,farewell\n');
    const { run, answer, home } = session([], 'init', cwd);
    await answer('Which file?', `data.csv${ENTER}`);
    await answer('Prompt?', `Kind of message: {text}${ENTER}`);
    await answer('Model?', ENTER);
    await answer('Name of the answer column?', `${BACKSPACE.repeat(20)}kind${ENTER}`);
    await answer('ground-truth column?', ENTER);
    const result = await run.done;
    expect(result.code, plain(result.stdout)).toBe(0);
    expect(plain(result.stdout)).toContain('Next: `evalctl create data.csv --ground-truth expected --dry-run`');
    const config = JSON.parse(readFileSync(join(cwd, '.evalrc.json'), 'utf8'));
    expect(config).toEqual({ $schema: './node_modules/evalctl/schema/evalrc.schema.json', model: 'gpt-4o-mini', targetColumn: 'kind', variants: [{ prompt: 'Kind of message: {text}' }] });
    const created = await runCli(['create', 'data.csv', '--json'], { cwd, env: stubEnv(stub, home) });
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).settings).toMatchObject({ target_column: 'kind', variants: [{ prompt: 'Kind of message: {text}' }] });
    const again = await runCli(['init'], { cwd, env: stubEnv(stub, home) });
    expect([again.code, again.stderr.split('\n')[0]]).toEqual([2, `evalctl: ${join(cwd, '.evalrc.json')} exists already.`]);
  });

  it.each([
    { name: 'stdin not a terminal', terminal: false, env: {} },
    { name: 'CI set, on a terminal', terminal: true, env: { CI: 'true' } },
  ])('never asks with $name: a missing file is an error', async ({ terminal, env }) => {
    const args = ['create'];
    const options = { cwd: temp.dir, env: { ...stubEnv(stub, join(temp.dir, 'none')), ...env } };
    const result = terminal ? await runPty(args, options) : await runCli(args, { ...options, env: { ...options.env, CI: undefined } });
    expect(result.code).toBe(2);
    expect(plain(result.stdout + result.stderr)).toContain('evalctl: create needs a source file.');
    expect(plain(result.stdout + result.stderr)).not.toContain('Which file?');
  });
});
