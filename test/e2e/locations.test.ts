// Where jobs and the response cache go: the nearest .evalctl/ upward, else the per-user state
// folder; the cache per user; EVALCTL_HOME over both. Also: misspelt EVALCTL_* variables, and
// --cache over a config file's "cache": false.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { PROMPT, reviewsCsv, waitFor } from '../helpers/jobs.js';
import { startStub, type Stub } from '../stub/server.js';

const jobsIn = (home: string) => (existsSync(join(home, 'jobs')) ? readdirSync(join(home, 'jobs')) : []);
const cacheIn = (dir: string) => existsSync(join(dir, 'responses.mdb'));

describe('where state goes', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let source: string;
  let n = 0;

  beforeAll(async () => {
    stub = await startStub();
    temp = tempDir();
    source = await reviewsCsv(temp.dir, 'reviews.csv', 5);
  });
  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  /** A fresh world: a user home, a project with a nested working folder, the stub's key. */
  function world(options: { projectStore?: boolean; xdg?: boolean }) {
    const root = join(temp.dir, `world-${(n += 1)}`);
    const user = join(root, 'user');
    const project = join(root, 'project');
    const cwd = join(project, 'a', 'b');
    mkdirSync(cwd, { recursive: true });
    mkdirSync(user);
    if (options.projectStore) mkdirSync(join(project, '.evalctl'));
    const env: Record<string, string | undefined> = {
      OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: stub.openaiBaseURL, HOME: user,
      XDG_STATE_HOME: options.xdg ? join(root, 'xdg-state') : undefined,
      XDG_CACHE_HOME: options.xdg ? join(root, 'xdg-cache') : undefined,
    };
    return { root, user, project, cwd, env };
  }

  it.each([
    { name: 'a .evalctl/ two folders up holds the jobs; the cache is per user', projectStore: true, xdg: false, jobs: 'project/.evalctl', cache: 'user/.cache/evalctl' },
    { name: 'no .evalctl/ anywhere up: ~/.local/state/evalctl and ~/.cache/evalctl', projectStore: false, xdg: false, jobs: 'user/.local/state/evalctl', cache: 'user/.cache/evalctl' },
    { name: 'XDG_STATE_HOME and XDG_CACHE_HOME are honoured', projectStore: false, xdg: true, jobs: 'xdg-state/evalctl', cache: 'xdg-cache/evalctl' },
    { name: 'a project store with XDG set: jobs in the project, cache in XDG_CACHE_HOME', projectStore: true, xdg: true, jobs: 'project/.evalctl', cache: 'xdg-cache/evalctl' },
  ])('$name', async ({ projectStore, xdg, jobs, cache }) => {
    const w = world({ projectStore, xdg });
    const result = await runCli(['create', source, '-p', PROMPT, '-o', join(w.root, 'out.csv')], { cwd: w.cwd, env: w.env });
    expect(result.code, result.stderr).toBe(0);
    expect(jobsIn(join(w.root, jobs))).toHaveLength(1);
    expect(cacheIn(join(w.root, cache))).toBe(true);
    // Nothing lands in the working folder.
    expect(readdirSync(w.cwd)).toEqual([]);
    // The job is found again from the project's root folder too when the store is the project's.
    const status = await runCli(['status', '--json'], { cwd: projectStore ? w.project : w.cwd, env: w.env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).id).toBe(jobsIn(join(w.root, jobs))[0]);
  });

  it('EVALCTL_HOME holds both, whatever else there is; a detached run uses the same cache', async () => {
    const w = world({ projectStore: true, xdg: true });
    const home = join(w.root, 'elsewhere');
    const env = { ...w.env, EVALCTL_HOME: home };
    const result = await runCli(['create', source, '-p', PROMPT, '-o', join(w.root, 'out.csv')], { cwd: w.cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(jobsIn(home)).toHaveLength(1);
    expect(cacheIn(join(home, 'cache'))).toBe(true);
    expect(jobsIn(join(w.project, '.evalctl'))).toEqual([]);

    // Detached, without EVALCTL_HOME: the background process writes the per-user cache, so a
    // second run in the foreground sends nothing.
    const detached = world({ xdg: true });
    const started = await runCli(['create', source, '-p', 'Detached: {review}', '--detach', '-o', join(detached.root, 'out.csv')], { cwd: detached.cwd, env: detached.env });
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();
    await waitFor('the detached job to finish', async () => {
      const status = await runCli(['status', id, '--json'], { cwd: detached.cwd, env: detached.env });
      return JSON.parse(status.stdout).status === 'completed';
    });
    expect(cacheIn(join(detached.root, 'xdg-cache/evalctl'))).toBe(true);
    expect(existsSync(join(detached.root, 'xdg-state/evalctl/cache'))).toBe(false);
    const before = stub.stats().paid;
    const again = await runCli(['create', source, '-p', 'Detached: {review}', '-o', join(detached.root, 'again.csv')], { cwd: detached.cwd, env: detached.env });
    expect(again.code, again.stderr).toBe(0);
    expect(stub.stats().paid).toBe(before);
  });

  it.each([
    { name: 'a misspelt setting', variable: 'EVALCTL_CONCURENCY', warning: 'warning: EVALCTL_CONCURENCY is not an evalctl variable. Did you mean EVALCTL_CONCURRENCY?' },
    { name: 'a misspelt EVALCTL_HOME', variable: 'EVALCTL_HOM', warning: 'warning: EVALCTL_HOM is not an evalctl variable. Did you mean EVALCTL_HOME?' },
    { name: 'nothing like any variable', variable: 'EVALCTL_XYZZY', warning: 'warning: EVALCTL_XYZZY is not an evalctl variable; it is ignored.' },
  ])('$name warns, and the command goes on', async ({ variable, warning }) => {
    const w = world({ xdg: true });
    const result = await runCli(['list'], { cwd: w.cwd, env: { ...w.env, [variable]: '4' } });
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')).toContain(warning);
  });

  it.each([
    { name: '"cache": false in the config file: nothing cached', flags: [], cached: false },
    { name: '--cache undoes the config file', flags: ['--cache'], cached: true },
    { name: '--no-cache with the config file', flags: ['--no-cache'], cached: false },
  ])('$name', async ({ flags, cached }) => {
    const w = world({ xdg: true });
    writeFileSync(join(w.cwd, '.evalrc.json'), JSON.stringify({ cache: false }));
    const result = await runCli(['create', source, '-p', PROMPT, '-o', join(w.root, 'out.csv'), ...flags], { cwd: w.cwd, env: w.env });
    expect(result.code, result.stderr).toBe(0);
    expect(cacheIn(join(w.root, 'xdg-cache/evalctl'))).toBe(cached);
  });
});
