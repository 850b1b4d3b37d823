import { execFile } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { EvalctlError } from '../errors.js';

const run = promisify(execFile);

export interface CommitRequest {
  /** The finished output file; it must lie inside a git work tree. */
  readonly file: string;
  readonly message: string;
  /** Commit on this branch (created from HEAD if missing) instead of the checked-out one. */
  readonly branch?: string | null;
  readonly env?: NodeJS.ProcessEnv;
}

export interface CommitResult {
  readonly commit: string;
  readonly ref: string;
  /** The file's path inside the repository. */
  readonly path: string;
}

/**
 * Commits one file with git's plumbing, never through the working tree: the tree is built in a
 * temporary index (GIT_INDEX_FILE) from the branch's last commit plus the file's blob, and the
 * branch moves with a compare-and-swap `update-ref`, so a concurrent commit is a conflict, not a
 * lost update. On another branch the working tree, the index and HEAD are left exactly as they
 * were; on the checked-out branch the index entry of that one path is updated too, so that
 * `git status` does not show the file as deleted.
 */
export async function commitFile(request: CommitRequest): Promise<CommitResult> {
  const env = { ...(request.env ?? process.env) };
  const git = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> => {
    const { stdout } = await run('git', args, { cwd: dirname(request.file), env: { ...env, ...extraEnv }, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  };
  let top: string;
  try {
    top = realpathSync(await git(['rev-parse', '--show-toplevel']));
  } catch (error) {
    throw commitError(`--commit needs a git repository, and ${dirname(request.file)} is not inside one; the output is kept at ${request.file}.`, 'Write the output inside a repository (-o path/in/repo.parquet), or leave out --commit.', error);
  }
  const path = relative(top, realpathSync(request.file)).split(sep).join('/');
  if (path.startsWith('../')) throw commitError(`The output ${request.file} is outside the git repository at ${top}; it is kept there, not committed.`, 'Write the output inside the repository.');
  const current = await git(['symbolic-ref', '-q', 'HEAD']).catch(() => '');
  const ref = request.branch ? `refs/heads/${request.branch}` : current;
  if (!ref) throw commitError(`HEAD is detached in ${top}, so --commit has no branch to commit to; the output is kept at ${request.file}.`, 'Name one with --target-branch <name>.');
  if (request.branch) await git(['check-ref-format', ref]).catch((error) => { throw commitError(`"${request.branch}" is not a valid branch name.`, 'Use letters, digits, "-", "_" and "/", e.g. --target-branch results.', error); });
  const parent = await git(['rev-parse', '--verify', '-q', `${ref}^{commit}`]).catch(() => '');
  // A new branch starts from the checked-out commit, keeping the repository's history.
  const base = parent || await git(['rev-parse', '--verify', '-q', 'HEAD^{commit}']).catch(() => '');
  const identity = await git(['config', 'user.email']).catch(() => '') ? {} : { GIT_AUTHOR_NAME: 'evalctl', GIT_AUTHOR_EMAIL: 'evalctl@localhost', GIT_COMMITTER_NAME: 'evalctl', GIT_COMMITTER_EMAIL: 'evalctl@localhost' };
  const scratch = mkdtempSync(join(tmpdir(), 'evalctl-git-'));
  try {
    const index = { GIT_INDEX_FILE: join(scratch, 'index') };
    await git(base ? ['read-tree', base] : ['read-tree', '--empty'], index);
    const blob = await git(['hash-object', '-w', '--', request.file]);
    await git(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], index);
    const tree = await git(['write-tree'], index);
    const commit = await git(['commit-tree', tree, ...(base ? ['-p', base] : []), '-m', request.message], identity);
    try {
      await git(['update-ref', '-m', 'evalctl: commit output', ref, commit, parent || '0'.repeat(commit.length)]);
    } catch (error) {
      throw commitError(`${ref.replace('refs/heads/', '')} moved while the output was being committed; the output is kept at ${request.file}.`, 'Resume the job to commit again on top of it.', error);
    }
    if (ref === current) await git(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`]);
    return { commit, ref, path };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function commitError(message: string, hint?: string, cause?: unknown): EvalctlError {
  return new EvalctlError(message, { code: 'commit', hint, cause });
}
