import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileProblem, JobError, StorageError } from './errors.js';
import { stateLocations } from './locations.js';
import { formatProcess, parseProcess, processAlive, thisProcess } from './process.js';
import { migrateRecord } from './jobs-migrate.js';

export { STATUSES } from './job-record.js';
export type { Agreement, JobRecord, JobStatus, StopReason, VariantStats } from './job-record.js';
import type { JobRecord, JobStatus } from './job-record.js';

/** Files of one job. */
export interface JobPaths {
  dir: string;
  record: string;
  answers: string;
  log: string;
  cancel: string;
  sample: string;
  /** The pid of a background process started for the job, written by the process that started it. */
  launcher: string;
}

/**
 * The on-disk job store: `<home>/jobs/<id>/` per job, with `job.json` (replaced atomically, so
 * any number of readers see a whole record) and the append-only `answers.jsonl`. One process
 * writes a job; any process may read it or ask it to cancel (a marker file plus a signal).
 * Where `home` and the response cache are: see `stateLocations`.
 */
export class JobStore {
  constructor(readonly home: string, readonly cacheDir: string = join(home, 'cache')) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): JobStore {
    const { home, cacheDir } = stateLocations(env, cwd);
    return new JobStore(home, cacheDir);
  }

  paths(id: string): JobPaths {
    const dir = join(this.home, 'jobs', id);
    return {
      dir,
      record: join(dir, 'job.json'),
      answers: join(dir, 'answers.jsonl'),
      log: join(dir, 'run.log'),
      cancel: join(dir, 'cancel-requested'),
      sample: join(dir, 'sample.json'),
      launcher: join(dir, 'launcher.pid'),
    };
  }

  /**
   * Makes the folder of a job not recorded yet, for what must exist before its record (a remote
   * table downloaded into it); `create(record, id)` then records it, `discard(id)` removes it.
   */
  reserve(): string {
    try {
      mkdirSync(join(this.home, 'jobs'), { recursive: true });
      for (;;) {
        const id = newId();
        try {
          mkdirSync(this.paths(id).dir);
          return id;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      }
    } catch (error) {
      throw new StorageError(`Cannot create a job in ${this.home} (${fileProblem(error)}).`, 'Set EVALCTL_HOME to a writable folder, or free some space.', error);
    }
  }

  /** Creates a job (in a folder from `reserve`, or a new one with a fresh short id) with an empty answer log. */
  create(record: Omit<JobRecord, 'id'>, reserved?: string): JobRecord {
    const id = reserved ?? this.reserve();
    try {
      const job = { id, ...record };
      writeFileSync(this.paths(id).answers, '');
      this.write(job);
      return job;
    } catch (error) {
      throw new StorageError(`Cannot create a job in ${this.home} (${fileProblem(error)}).`, 'Set EVALCTL_HOME to a writable folder, or free some space.', error);
    }
  }

  /** Removes a job that never ran (a new job whose output another job holds, a dry run's reserved folder). */
  discard(id: string): void {
    rmSync(this.paths(id).dir, { recursive: true, force: true });
  }

  write(job: JobRecord): void {
    const path = this.paths(job.id).record;
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ ...job, updated_at: new Date().toISOString() }, null, 2));
    renameSync(temporary, path);
  }

  /** Reads a job by id or unique id prefix, or the latest job when `id` is undefined. */
  read(id?: string): JobRecord {
    const jobId = id === undefined ? this.latestId() : this.resolveId(id);
    const path = this.paths(jobId).record;
    let raw: Record<string, any>;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      throw new JobError(`Job ${jobId} has no readable record at ${path}.`, `Its answers are kept in ${this.paths(jobId).answers}; start a new job with \`evalctl create\`.`);
    }
    return withLiveness(migrateRecord(raw, jobId), this.paths(jobId).launcher);
  }

  /** Every job, newest first. */
  list(): JobRecord[] {
    return this.survey().jobs;
  }

  /** Every readable job, newest first, and the jobs whose record cannot be read, with why. */
  survey(): { jobs: JobRecord[]; damaged: { id: string; reason: string }[] } {
    const jobs: JobRecord[] = [];
    const damaged: { id: string; reason: string }[] = [];
    for (const id of this.ids()) {
      try {
        jobs.push(this.read(id));
      } catch (error) {
        damaged.push({ id, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return { jobs: jobs.sort((a, b) => b.created_at.localeCompare(a.created_at)), damaged };
  }

  /**
   * Takes the job's run lock (`run.lock`, created exclusively, holding the pid), so two
   * processes never append to one answer log, even when started at the same instant. A lock
   * left by a process that is gone is taken over. Returns the release function.
   */
  lockRun(id: string): () => void {
    const path = join(this.paths(id).dir, 'run.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, formatProcess(thisProcess()), { flag: 'wx' });
        return () => rmSync(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = parseProcess(readFileSync(path, 'utf8'));
        if (holder && holder.pid !== process.pid && processAlive(holder.pid, holder.started)) {
          throw new JobError(`Job ${id} is already being run by process ${holder.pid}.`, `Follow it with \`evalctl status ${id} --watch\`.`);
        }
        rmSync(path, { force: true });
      }
    }
    throw new JobError(`Could not take the run lock of job ${id}.`, 'Try again.');
  }

  requestCancel(id: string): void {
    writeFileSync(this.paths(id).cancel, new Date().toISOString());
  }

  cancelRequested(id: string): boolean {
    return existsSync(this.paths(id).cancel);
  }

  clearCancel(id: string): void {
    rmSync(this.paths(id).cancel, { force: true });
  }

  /**
   * Notes the pid of a background process just started for a queued job (`null` forgets it).
   * A file of its own, not the record: the record has one writer, the running job, and a
   * launcher rewriting it could overwrite a newer state written by the child it started.
   */
  launched(id: string, pid: number | null): void {
    if (pid === null) rmSync(this.paths(id).launcher, { force: true });
    else writeFileSync(this.paths(id).launcher, String(pid));
    // The launcher knows only the pid; the child notes its own start time once it runs.
  }

  private ids(): string[] {
    try {
      return readdirSync(join(this.home, 'jobs'));
    } catch {
      return [];
    }
  }

  private latestId(): string {
    const latest = this.list()[0];
    if (!latest) throw new JobError(`No jobs in ${this.home}.`, 'Start one with `evalctl create <file> --prompt "..."`.');
    return latest.id;
  }

  private resolveId(id: string): string {
    const matches = this.ids().filter((candidate) => candidate.startsWith(id));
    if (matches.includes(id)) return id;
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new JobError(`Job id "${id}" is ambiguous: ${matches.join(', ')}.`, 'Type more of the id.');
    throw new JobError(`No job "${id}" in ${this.home}.`, 'List jobs with `evalctl list`.');
  }
}

const ACTIVE: readonly JobStatus[] = ['queued', 'running', 'committing'];

export function isActive(status: JobStatus): boolean {
  return ACTIVE.includes(status);
}

/**
 * A job marked active whose process is gone crashed: it is reported as errored, resumable. A
 * queued job not yet picked up by its background process is judged by the launcher's pid file.
 * A `--batch-api` job waiting on its provider is running with no pid: no process is meant to be alive.
 */
function withLiveness(job: JobRecord, launcherFile: string): JobRecord {
  const pid = job.pid ?? (job.status === 'queued' ? launcherPid(launcherFile) : null);
  if (!isActive(job.status) || pid === null) return job;
  if (processAlive(pid, job.pid === null ? null : job.pid_started ?? null)) return { ...job, pid };
  return {
    ...job,
    status: 'errored',
    stop_reason: 'crashed',
    error_message: `The process running this job (pid ${pid}) ended without finishing it. Resume with \`evalctl resume ${job.id}\`.`,
    pid: null,
  };
}

function launcherPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Six characters without look-alikes (no 0/o, 1/l/i): short and typeable. */
function newId(): string {
  return Array.from(randomBytes(6), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}
