import { writeFileSync } from 'node:fs';
import { JobError } from './errors.js';
import { verifySource } from './source/verify.js';
import { isActive, type JobRecord, type JobStatus, type JobStore } from './jobs.js';
import { takeNewOutput, type OutputChoice } from './output/claim.js';
import { sampleRows } from './sample.js';
import type { JobSpec, RunSettings } from './spec.js';

/**
 * Which status may follow which. `running` to `running` is a checkpoint; every other write of a
 * record goes through `transition`, so a job never moves in a way this table does not allow.
 * A running job whose process died is read as `errored` (crashed), so it resumes like one.
 */
export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  queued: ['running', 'cancelled', 'errored'],
  running: ['running', 'committing', 'errored'],
  committing: ['completed', 'cancelled', 'errored'],
  completed: ['queued'],
  cancelled: ['queued'],
  errored: ['queued'],
};

/** Moves a job to `to` with the given fields, refusing a move the table does not allow. */
export function transition(store: JobStore, job: JobRecord, to: JobStatus, fields: Partial<JobRecord> = {}): JobRecord {
  if (!TRANSITIONS[job.status].includes(to)) {
    throw new JobError(`Job ${job.id} is ${job.status} and cannot become ${to}.`, `See \`evalctl status ${job.id}\`.`);
  }
  const next: JobRecord = { ...job, ...fields, status: to };
  store.write(next);
  return next;
}

/**
 * Records a new job from a checked plan, with its seeded sample if it has one, and makes it the
 * owner of its output (see `takeNewOutput`); a job that cannot have its output is not kept.
 * `reserved`: a folder from `JobStore.reserve` (a remote table already downloaded into it).
 */
export function createJob(store: JobStore, record: Omit<JobRecord, 'id'>, sourceRows: number, output: OutputChoice = { explicit: true, overwrite: false }, reserved?: string): JobRecord {
  const created = store.create(record, reserved);
  let job: JobRecord;
  try {
    job = takeNewOutput(store, created, output);
  } catch (error) {
    store.discard(created.id);
    throw error;
  }
  const s = job.settings;
  if (s.sample_seed !== null && s.sample_count !== null) {
    writeFileSync(store.paths(job.id).sample, JSON.stringify({ rows: sampleRows(sourceRows, s.sample_count, s.sample_seed) }));
  }
  return job;
}

/** What `resume` may change: how the job runs, and where its variants' endpoints are. */
export interface ResumeChanges extends Partial<RunSettings> {
  /** A new base URL for every variant (a typo fixed, a server moved). */
  base_url?: string;
  /** `resume --live` of a `--batch-api` job: false sends the rest as live requests. */
  batch?: boolean;
}

/**
 * Makes a stopped job ready to run again (`queued`), with the changes applied. Refuses a job
 * that is running, completed with nothing to retry (no failed row, no failed judge call), or
 * whose source changed (locally or remotely).
 */
export async function prepareResume(store: JobStore, id: string, changes: ResumeChanges, env: NodeJS.ProcessEnv = process.env): Promise<JobRecord> {
  const job = store.read(id);
  const failedJudgeCalls = (job.judge_usage?.failed ?? 0) + (job.pairwise_usage?.failed ?? 0);
  if (job.status === 'completed' && job.failed_rows === 0 && failedJudgeCalls === 0) {
    throw new JobError(`Job ${job.id} is already completed; its output is ${job.output}.`);
  }
  if (isActive(job.status) && (job.status !== 'queued' || job.pid !== null)) {
    throw new JobError(`Job ${job.id} is still ${job.status} (pid ${job.pid}).`, `Follow it with \`evalctl status ${job.id} --watch\`, or stop it with \`evalctl cancel ${job.id}\`.`);
  }
  // Refused before the record is touched: the job stays as it was. A remote source is asked
  // whether it changed since it was downloaded (see `verifySource`).
  await verifySource(job.source, job.id, env);
  const { base_url: baseUrl, ...run } = changes;
  const providers = new Set(job.settings.variants.map((v) => v.provider));
  if (baseUrl !== undefined && providers.size > 1) {
    throw new JobError(`Job ${job.id} has variants at several providers (${[...providers].join(', ')}), so one --base-url cannot fit them all.`, 'Set OPENAI_BASE_URL / ANTHROPIC_BASE_URL for this resume instead.');
  }
  const settings: JobSpec = {
    ...job.settings,
    ...Object.fromEntries(Object.entries(run).filter(([, value]) => value !== undefined)),
    variants: baseUrl === undefined ? job.settings.variants : job.settings.variants.map((v) => ({ ...v, base_url: baseUrl })),
  };
  store.clearCancel(job.id);
  store.launched(job.id, null);
  // A job still queued (never started, launcher gone) is simply queued again.
  return job.status === 'queued' ? (store.write({ ...job, settings }), { ...job, settings }) : transition(store, job, 'queued', { settings });
}

/**
 * Asks a job to stop. A queued job that never started is cancelled here; a running one is sent
 * the request (a marker file its process polls) and keeps every answer it has.
 * Returns the record and whether the caller should wait for the job's process to stop.
 */
export function requestCancel(store: JobStore, id: string): { job: JobRecord; waiting: boolean } {
  const job = store.read(id);
  if (!isActive(job.status)) {
    throw new JobError(`Job ${job.id} is not running (status: ${job.status}).`, job.status === 'completed' ? undefined : `Resume it with \`evalctl resume ${job.id}\`.`);
  }
  store.requestCancel(job.id);
  if (job.pid !== null) return { job, waiting: true };
  return {
    job: transition(store, job, 'cancelled', { stop_reason: 'cancelled', cancelled_at: new Date().toISOString(), error_message: 'Cancelled before it started.' }),
    waiting: false,
  };
}
