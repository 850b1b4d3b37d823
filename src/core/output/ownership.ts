import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { JobError } from '../errors.js';
import { isActive, JobStore, type JobStatus } from '../jobs.js';
import { processAlive } from '../process.js';

/**
 * Who an output path belongs to: a job (its id, in the store at `home`) and the process that
 * last claimed it for that job. Stored as JSON in `.<output name>.evalctl` beside the output.
 */
export interface Holder {
  readonly job: string;
  readonly home: string;
  readonly pid: number;
}

/**
 * Where a path stands for one would-be holder:
 * - `free`: nobody holds it; `ours`: this job does.
 * - `gone`: its job is no longer in its store (deleted), or the reservation is unreadable: taken over freely.
 * - `running`: a process is running (or creating) its job: never taken over.
 * - `resting`: its job exists but nothing runs it (completed, cancelled, errored, crashed):
 *   taken over only with `--overwrite`, after which that job no longer writes there.
 */
export type Standing =
  | { kind: 'free' | 'ours' | 'gone' }
  | { kind: 'running' | 'resting'; holder: Holder; status: JobStatus | 'unknown' };

/** The reservation file of `output`: `dir/.name.evalctl`. */
export function reservationPath(output: string): string {
  return join(dirname(output), `.${basename(output)}.evalctl`);
}

/** The holder record for job `id` of `store`, claimed by this process. */
export function holderFor(store: JobStore, id: string): Holder {
  return { job: id, home: resolve(store.home), pid: process.pid };
}

/**
 * Takes `output` for `me`, atomically: of two processes reserving one path at the same
 * instant exactly one wins. A reservation of `me`'s own job is renewed (this process becomes
 * its claimant); one whose job is gone is taken over; a resting job's only with `overwrite`.
 * Returns undefined once `output` is ours, or the standing that keeps us out.
 */
export function reserveOutput(output: string, me: Holder, options: { overwrite: boolean }): Extract<Standing, { holder: Holder }> | undefined {
  const path = reservationPath(output);
  const deadline = Date.now() + 2 * STALE_MS;
  while (Date.now() < deadline) {
    if (createExclusive(path, me)) return undefined;
    const blocked = withMutex(path, () => {
      const standing = standingOf(path, me);
      if (standing.kind === 'free') return 'retry';
      if (standing.kind === 'running' || (standing.kind === 'resting' && !options.overwrite)) return standing;
      // Ours, gone, or resting and --overwrite: replaced in one rename, never absent meanwhile.
      replace(path, me);
      return undefined;
    });
    if (blocked !== 'retry') return blocked;
    sleepSync(20);
  }
  throw new JobError(`Could not reserve the output ${output}: its reservation ${path} keeps changing.`, 'Try again.');
}

/** Gives `output` up if `me`'s job holds it (a job that wrote nothing leaves no trace). */
export function releaseOutput(output: string, me: Holder): void {
  const path = reservationPath(output);
  if (!existsSync(path)) return;
  withMutex(path, () => {
    if (standingOf(path, me).kind === 'ours') rmSync(path, { force: true });
  });
}

/** Where `output` stands for `me`, without changing anything. */
export function outputStanding(output: string, me: Holder): Standing {
  return standingOf(reservationPath(output), me);
}

function standingOf(path: string, me: Holder): Standing {
  const holder = readHolder(path);
  if (holder === 'absent') return { kind: 'free' };
  if (holder === 'unreadable') return { kind: 'gone' };
  if (holder.job === me.job && resolve(holder.home) === me.home) return { kind: 'ours' };
  // Checked before the store: a job being created holds its reservation before it can run.
  if (processAlive(holder.pid)) return { kind: 'running', holder, status: 'running' };
  const store = new JobStore(holder.home);
  if (!existsSync(store.paths(holder.job).record)) return { kind: 'gone' };
  try {
    const job = store.read(holder.job);
    return { kind: isActive(job.status) && job.pid !== null ? 'running' : 'resting', holder, status: job.status };
  } catch {
    return { kind: 'resting', holder, status: 'unknown' };
  }
}

/** How long a half-written reservation (no hard links here) or a mutex may live before it is stale. */
const STALE_MS = 5_000;

function readHolder(path: string): Holder | 'absent' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  try {
    const value = JSON.parse(text) as Holder;
    if (typeof value.job === 'string' && typeof value.home === 'string' && Number.isInteger(value.pid)) return value;
  } catch { /* judged below */ }
  // Only the file-system fallback of createExclusive shows a reservation before its content:
  // read as free for a moment, so the caller tries again.
  if (text === '' && Date.now() - mtimeOf(path) < STALE_MS) return 'absent';
  return 'unreadable';
}

/**
 * Creates the reservation only if there is none: written beside it, then hard-linked into
 * place, so it never exists without its content. File systems without hard links fall back to
 * an exclusive create.
 */
function createExclusive(path: string, me: Holder): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, JSON.stringify(me));
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    return createWithFlag(path, me);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function createWithFlag(path: string, me: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

function replace(path: string, me: Holder): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, JSON.stringify(me));
  renameSync(temporary, path);
}

/**
 * Runs `action` holding `<reservation>-lock`, so judging a reservation and replacing it is one
 * step: two processes taking over one stale reservation cannot both win. Held for milliseconds;
 * one left behind by a killed process is cleared after a few seconds.
 */
function withMutex<T>(path: string, action: () => T): T {
  const mutex = `${path}-lock`;
  const deadline = Date.now() + 2 * STALE_MS;
  for (;;) {
    try {
      writeFileSync(mutex, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - mtimeOf(mutex) > STALE_MS) rmSync(mutex, { force: true });
      else if (Date.now() > deadline) throw new JobError(`The output reservation ${path} stays locked by ${mutex}.`, 'Remove that file if no evalctl is running, and try again.');
      else sleepSync(10);
    }
  }
  try {
    return action();
  } finally {
    rmSync(mutex, { force: true });
  }
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
