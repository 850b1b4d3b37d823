import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JobError } from './errors.js';
import type { Price } from './pricing.js';
import type { CommitResult } from './commit/git.js';
import type { CommitSettings } from './commit/job.js';
import type { Shard } from './shard.js';
import type { SourceRecord } from './source/verify.js';

export const STATUSES = ['queued', 'running', 'committing', 'completed', 'errored', 'cancelled'] as const;
export type JobStatus = (typeof STATUSES)[number];

/** Why a job stopped before finishing (status `cancelled` or `errored`). */
export type StopReason = 'cancelled' | 'budget' | 'error' | 'crashed';

/** The settings a job runs with, resolved once at `create` and kept for `resume`. Never a key. */
export interface JobSettings {
  model: string;
  provider: string;
  base_url: string | null;
  prompt: string;
  system: string | null;
  temperature: number;
  max_tokens: number | null;
  target_column: string;
  concurrency: number;
  batch_size: number;
  is_sample: boolean;
  sample_count: number | null;
  sample_seed: number | null;
  timeout_seconds: number;
  max_retries: number;
  max_retry_wait_seconds: number;
  rpm: number | null;
  tpm: number | null;
  max_cost: number | null;
  cache: boolean;
  usage_columns: boolean;
  input_format: string;
  output_format: string;
  /** A price override from config, kept so a resumed job bills the same way. */
  price: Price | null;
  /** `--shard k/n`: the contiguous row range this job evaluates (absent in older records). */
  shard?: Shard | null;
  /** `--s3-endpoint`, for an s3:// output (absent in older records). */
  s3_endpoint?: string | null;
  /** `--commit`: commit the output to git when the job completes (absent in older records). */
  commit?: CommitSettings | null;
}

/** A job as stored in `<home>/jobs/<id>/job.json`; field names follow the hosted services. */
export interface JobRecord {
  id: string;
  name: string | null;
  status: JobStatus;
  source: SourceRecord;
  output: string;
  settings: JobSettings;
  progress: { processed: number; total: number };
  failed_rows: number;
  cached_rows: number;
  prompt_tokens_used: number;
  completion_tokens_used: number;
  tokens_used: number;
  cost_usd: number | null;
  credits_used: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  cancelled_at: string | null;
  updated_at: string;
  error_message: string | null;
  stop_reason: StopReason | null;
  /** While some row waits to retry: why, until when (epoch ms), and the concurrency now allowed. */
  backoff?: { reason: string; until: number; concurrency: number } | null;
  /** The process running the job, while it runs; a running job whose process is gone crashed. */
  pid: number | null;
  /** With --commit: the commit holding the output, once made. */
  commit?: CommitResult | null;
}

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
 * `home` is `EVALCTL_HOME`, else `.evalctl` in the current directory.
 */
export class JobStore {
  constructor(readonly home: string) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): JobStore {
    return new JobStore(resolve(cwd, env.EVALCTL_HOME || '.evalctl'));
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

  get cacheDir(): string {
    return join(this.home, 'cache');
  }

  /**
   * Makes the folder of a job not recorded yet, for what must exist before its record (a remote
   * table downloaded into it); `create(record, id)` then records it, `discard(id)` removes it.
   */
  reserve(): string {
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
  }

  discard(id: string): void {
    rmSync(this.paths(id).dir, { recursive: true, force: true });
  }

  /** Creates a job (in a folder from `reserve`, or a new one) with an empty answer log. */
  create(record: Omit<JobRecord, 'id'>, reserved?: string): JobRecord {
    const id = reserved ?? this.reserve();
    const job = { id, ...record };
    writeFileSync(this.paths(id).answers, '');
    this.write(job);
    return job;
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
    let job: JobRecord;
    try {
      job = JSON.parse(readFileSync(path, 'utf8')) as JobRecord;
    } catch {
      throw new JobError(`Job ${jobId} has no readable record at ${path}.`);
    }
    return withLiveness(job, this.paths(jobId).launcher);
  }

  /** Every job, newest first. */
  list(): JobRecord[] {
    return this.ids()
      .map((id) => { try { return this.read(id); } catch { return undefined; } })
      .filter((job): job is JobRecord => job !== undefined)
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
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
        writeFileSync(path, String(process.pid), { flag: 'wx' });
        return () => rmSync(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
        if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
          throw new JobError(`Job ${id} is already being run by process ${holder}.`, `Follow it with \`evalctl status ${id} --watch\`.`);
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
 */
function withLiveness(job: JobRecord, launcherFile: string): JobRecord {
  const pid = job.pid ?? (job.status === 'queued' ? launcherPid(launcherFile) : null);
  if (!isActive(job.status) || pid === null) return job;
  if (processAlive(pid)) return { ...job, pid };
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

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A killed background job stays a zombie until its new parent (init) reaps it, and signal 0
 * still reaches a zombie; on Linux, /proc tells. Elsewhere this says no.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Six characters without look-alikes (no 0/o, 1/l/i): short and typeable. */
function newId(): string {
  return Array.from(randomBytes(6), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}
