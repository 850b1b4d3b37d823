import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { jobIds, PROMPT, reviewsCsv, storedRecord } from '../helpers/jobs.js';

// --commit / --target-branch: the output lands in a commit made with git's plumbing; on another
// branch the working tree, the index and HEAD are exactly as before.

const { dir, cleanup } = tempDir('evalctl-commit-');
let repo: string;
let n = 0;
// No global or system git config of this machine, and a fixed identity.
const gitEnv = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: dir };
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, ...gitEnv }, encoding: 'utf8' }).trim();
const create = (args: string[], cwd = repo) => runCli(['create', 'data.csv', '-p', PROMPT, '-m', 'echo', ...args], { cwd, env: { ...gitEnv, EVALCTL_HOME: join(dir, 'home') } });

/** Everything --target-branch must leave alone. */
const state = () => ({ head: git('rev-parse', 'HEAD'), branch: git('symbolic-ref', 'HEAD'), index: git('ls-files', '--stage'), staged: git('diff', '--cached'), unstaged: git('diff'), notes: readFileSync(join(repo, 'notes.txt'), 'utf8') });

afterAll(cleanup);

beforeEach(async () => {
  repo = join(dir, `repo${++n}`);
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Tester');
  git('config', 'user.email', 'tester@example.com');
  writeFileSync(join(repo, 'notes.txt'), 'one\n');
  writeFileSync(join(repo, 'staged.txt'), 'a\n');
  await reviewsCsv(repo, 'data.csv', 20);
  git('add', '.');
  git('commit', '-q', '-m', 'initial');
  // A dirty tree: a staged change and an unstaged one.
  writeFileSync(join(repo, 'staged.txt'), 'b\n');
  git('add', 'staged.txt');
  writeFileSync(join(repo, 'notes.txt'), 'one\ntwo\n');
  mkdirSync(join(repo, 'results'));
});

describe('--target-branch', () => {
  it('commits the output on a new branch, twice, leaving working tree, index and HEAD alone', async () => {
    const before = state();
    for (const round of [1, 2]) {
      const result = await create(['-o', 'results/out.csv', '--target-branch', 'results', '--overwrite', ...(round === 2 ? ['--commit-message', 'second run'] : [])]);
      expect(result.code, result.stderr).toBe(0);
      expect(state()).toEqual(before);
      expect(git('show', 'results:results/out.csv')).toBe(readFileSync(join(repo, 'results', 'out.csv'), 'utf8').trim());
      const job = storedRecord(join(dir, 'home'), latest());
      expect(job.commit).toEqual({ commit: git('rev-parse', 'results'), ref: 'refs/heads/results', path: 'results/out.csv' });
    }
    // Branched from HEAD, one commit per run, the files of HEAD kept.
    expect(git('rev-list', '--count', 'main..results', '--')).toBe('2');
    expect(git('log', '-1', '--format=%s', 'results', '--')).toBe('second run');
    expect(git('log', '-1', '--format=%s', 'results~1', '--')).toMatch(/^evalctl: job \w+, echo over data\.csv$/);
    expect(git('ls-tree', '-r', '--name-only', 'results').split('\n')).toEqual(['data.csv', 'notes.txt', 'results/out.csv', 'staged.txt']);
    expect(git('show', 'results:staged.txt')).toBe('a');
  });
});

describe('--commit on the checked-out branch', () => {
  it('moves the branch by one commit holding the output, and git status shows it clean', async () => {
    const head = git('rev-parse', 'HEAD');
    const result = await create(['-o', 'results/out.csv', '--commit']);
    expect(result.code, result.stderr).toBe(0);
    expect(git('rev-parse', 'HEAD~1')).toBe(head);
    expect(git('show', '--name-only', '--format=', 'HEAD')).toBe('results/out.csv');
    // Only the user's own changes remain: the output is committed and in the index. Main's
    // output ownership keeps its reservation (`.out.csv.evalctl`) beside the output, untracked.
    expect(git('status', '--porcelain')).toBe(' M notes.txt\nM  staged.txt\n?? results/.out.csv.evalctl'.trim());
  });
});

describe('when it cannot commit: one line, the output kept', () => {
  it.each([
    ['outside a repository', () => { const outside = join(dir, `plain${n}`); mkdirSync(outside); return { cwd: outside, args: ['-o', 'out.csv', '--commit'] }; }, /^evalctl: --commit needs a git repository, and .* is not inside one; the output is kept at .*out\.csv\.$/m],
    ['a detached HEAD without --target-branch', () => { git('checkout', '-q', '--detach'); return { cwd: repo, args: ['-o', 'results/out.csv', '--commit'] }; }, /^evalctl: HEAD is detached in .*, so --commit has no branch to commit to; the output is kept at .*\n  Name one with --target-branch <name>\.$/m],
    ['a bad branch name', () => ({ cwd: repo, args: ['-o', 'results/out.csv', '--target-branch', 'a..b'] }), /^evalctl: "a\.\.b" is not a valid branch name\.$/m],
  ])('%s', async (_name, setup, message) => {
    const { cwd, args } = setup();
    if (cwd !== repo) await reviewsCsv(cwd, 'data.csv', 20);
    const result = await create(args, cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(readFileSync(join(cwd, args[1]), 'utf8')).toContain('prediction');
  });

  it('-o - with --commit is a usage error', async () => {
    const result = await create(['-o', '-', '--commit']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^evalctl: --commit needs an output file, not -o -\./);
  });
});

function latest(): string {
  const home = join(dir, 'home');
  return jobIds(home).map((id) => storedRecord(home, id)).sort((a, b) => b.created_at.localeCompare(a.created_at))[0].id;
}
