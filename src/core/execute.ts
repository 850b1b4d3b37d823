import { existsSync, readFileSync } from 'node:fs';
import { AnswerLog, readAnswers, type Answer } from './answers.js';
import { cacheScope, ResponseCache } from './cache.js';
import { Dataset, type InputFormat } from './dataset.js';
import { EvalctlError, fileProblem, JobError, messageOf, StorageError } from './errors.js';
import { checkSourceFiles, sourceFiles } from './source/verify.js';
import { outputFileFor } from './source/emit.js';
import { commitJobOutput } from './commit/job.js';
import { isS3Output, uploadOutput } from './source/upload.js';
import { thisProcess } from './process.js';
import { isActive, type JobRecord, type JobStore } from './jobs.js';
import { transition } from './lifecycle.js';
import { createProvider, redactSecrets, type ModelChoice } from './models.js';
import { agreementOf } from './output/agreement.js';
import { claimJobOutput, releaseJobOutput } from './output/claim.js';
import { selectionOf, writeJobOutput } from './output/job-output.js';
import { scoreJobOutput } from './score/job.js';
import { priceOf, progressFrom, snapshot, snapshotFields } from './run/snapshot.js';
import { compileVariants } from './prompts.js';
import { resolveRow } from './images/resolve.js';
import { mediaOf, type MediaKind } from './images/kinds.js';
import type { RunProgress } from './run/progress.js';
import { Runner, type Lane, type StopReason, type WorkItem } from './run/runner.js';
import { endpointKey, endpointLabel, type JobSpec } from './spec.js';
import { answerChecker } from './structured/validate.js';
import { batchEmbeddings } from './embeddings/batcher.js';
import { embeddingLane } from './embeddings/lane.js';
import { imageLane, imageProvider } from './imagegen/lane.js';
import type { RowSelection } from './writer.js';

export interface RunHooks {
  /** Called once the run starts, with the live counters a progress display can poll. */
  onStart?(job: JobRecord, progress: RunProgress): void;
  /** Called when the output is being written. */
  onCommit?(job: JobRecord): void;
  /** Aborting it cancels the run, as `evalctl cancel` does. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** A dataset already opened by `planJob` (saves opening it twice). */
  dataset?: Dataset;
  /** Something the user should know that does not stop the run (the cache turned off). */
  onWarning?(message: string): void;
}

/** How often the job record is rewritten at most, and answers fsynced, in milliseconds. */
const CHECKPOINT_MS = 250;
const FSYNC_MS = 1000;

/**
 * Runs a job to its end: streams the rows, sends every (row, variant) without an answer yet
 * through the runner, makes each outcome durable as it arrives, then writes the output file,
 * also after a fatal stop (a revoked key, a dead server): every answer paid for reaches the
 * output. Used by `create` (foreground or detached) and `resume`. Returns the final record;
 * throws for errors that stopped the run, after recording them in the job.
 */
export async function runJob(store: JobStore, id: string, hooks: RunHooks = {}): Promise<JobRecord> {
  const env = hooks.env ?? process.env;
  const job = store.read(id);
  if (isActive(job.status) && job.pid !== null && job.pid !== process.pid) {
    // Two processes appending to one answer log would pay for rows twice.
    throw new JobError(`Job ${job.id} is already being run by process ${job.pid}.`, `Follow it with \`evalctl status ${job.id} --watch\`.`);
  }
  const release = store.lockRun(job.id);
  try {
    return await runLocked(store, job.id, hooks, env);
  } finally {
    release();
  }
}

async function runLocked(store: JobStore, id: string, hooks: RunHooks, env: NodeJS.ProcessEnv): Promise<JobRecord> {
  let job = store.read(id);
  const paths = store.paths(job.id);
  job = transition(store, job, 'running', { pid: process.pid, pid_started: thisProcess().started, started_at: job.started_at ?? new Date().toISOString(), error_message: null, stop_reason: null, cancelled_at: null, completed_at: null });
  let dataset = hooks.dataset;
  try {
    checkSourceFiles(job.source, job.id);
    claimJobOutput(store, job);
    dataset ??= await Dataset.open(sourceFiles(job.source), { format: job.settings.input_format as InputFormat, encoding: job.settings.encoding ?? 'utf-8' });
    const s = job.settings;
    const { columns: images, kind } = mediaOf(s);
    const { columns, renders, parts } = compileVariants(s.variants, dataset, images);
    const selection = selectionOf(job, paths.sample);
    if (!existsSync(paths.answers)) {
      throw new JobError(`The answer log of job ${job.id} (${paths.answers}) is missing, so evalctl cannot tell which rows were paid for.`, 'Put the file back to resume, or start again with `evalctl create` (at temperature 0 the response cache still answers rows sent before).');
    }
    const state = await readAnswers(paths.answers, dataset.rowCount, s.variants.length);
    if (state.skipped > 0) hooks.onWarning?.(`${state.skipped} line${state.skipped === 1 ? '' : 's'} of ${paths.answers} ${state.skipped === 1 ? 'is' : 'are'} not what evalctl writes (torn by a crash, damaged or edited) and ${state.skipped === 1 ? 'was' : 'were'} skipped; ${state.skipped === 1 ? 'its row is' : 'their rows are'} sent again.`);
    const progress = progressFrom(job, state.tallies);
    const lanes = await lanesOf(s, env);
    const cache = lanes.some((lane) => lane.cache) ? await ResponseCache.open(store.cacheDir, (message) => hooks.onWarning?.(message)) : undefined;
    const log = new AnswerLog(paths.answers);
    /** A write of the job record that failed (a full disk): the run stops as when the log fails. */
    let recordFailure: unknown;
    const checkpoint = throttledCheckpoint(() => {
      log.flush();
      try {
        job = transition(store, snapshot(job, progress), 'running');
      } catch (error) {
        recordFailure ??= error;
        runner.cancel('fatal');
      }
    }, log);
    const runner = new Runner({ lanes, settings: s, cache, maxAnswerBytes: s.max_answer_bytes ?? undefined }, progress, (answer: Answer) => {
      // A pair that failed in an earlier run is counted once: its new outcome replaces the old one.
      const at = answer.row * s.variants.length + answer.variant;
      if (state.failed[at]) {
        state.failed[at] = 0;
        for (const p of [progress, progress.variants[answer.variant]]) { p.processed -= 1; p.failed -= 1; }
      }
      log.append(answer.error === null ? answer : { ...answer, error: redactSecrets(answer.error, env) });
      checkpoint(false);
    });

    log.onFailure = () => runner.cancel('fatal');
    const onAbort = () => runner.cancel('cancelled');
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    // A Ctrl-C or `cancel` that came while the job was starting: the listener alone would miss it.
    if (hooks.signal?.aborted || store.cancelRequested(job.id)) onAbort();
    const watcher = setInterval(() => {
      if (store.cancelRequested(job.id)) runner.cancel('cancelled');
      checkpoint(false);
    }, 300);
    hooks.onStart?.(job, progress);
    let stop: StopReason;
    let fatal: EvalctlError | undefined;
    try {
      // Embedding variants' rows go several to a request (--batch-size).
      const result = await runner.run(batchEmbeddings(workItems(dataset, columns, images.size > 0 ? imageRenders(s, parts, kind) : renders, state.done, selection, images), lanes, s.batch_size));
      stop = result.stop;
      fatal = result.error;
    } finally {
      clearInterval(watcher);
      hooks.signal?.removeEventListener('abort', onAbort);
      log.close();
      await cache?.close();
    }

    job = snapshot(job, progress);
    const storageFailure = log.failure ?? recordFailure;
    if (storageFailure) throw storageError(storageFailure, log.failure ? paths.answers : paths.record, job.id, log.unwrittenBytes);
    // Judging is a second phase over the answers, before the output is written (see src/core/judge/).
    if (stop === 'completed' && (s.judge || s.pairwise)) {
      const { runJudging } = await import('./judge/phase.js');
      const judged = await runJudging({ store, job, dataset, env, signal: hooks.signal, onWarning: hooks.onWarning, answersCost: progress.cost });
      ({ stop, error: fatal } = judged);
      job = { ...job, judge_usage: judged.judge_usage ?? job.judge_usage ?? null, pairwise_usage: judged.pairwise_usage ?? job.pairwise_usage ?? null };
    }
    // A run stopped before any answer (a bad key on the first request) leaves no output: it
    // would hold nothing but failed and not-run rows, and bad input leaves the user's folder untouched.
    const nothingToWrite = fatal !== undefined && progress.processed - progress.failed === 0;
    let agreement: JobRecord['agreement'] = null;
    let metrics: JobRecord['metrics'] = null;
    if (!nothingToWrite) {
      job = transition(store, job, 'committing');
      hooks.onCommit?.(job);
      const names = s.variants.map((v) => v.name);
      await writeJobOutput(store, job, dataset, {
        afterWrite: async (connection, answers) => {
          agreement = await agreementOf(connection, answers, names).catch(() => null);
        },
      });
      metrics = await scoreJobOutput({ ...job, output: outputFileFor(job.output, s.output_format, paths.dir) });
      if (metrics && (s.judge || s.pairwise)) metrics = await (await import('./judge/metrics.js')).addJudgeMetrics(store, job, dataset.rowCount, metrics);
      // Once the file is final: commit it (--commit), or upload it (-o s3://...).
      if (stop === 'completed' && fatal === undefined && s.commit) job = { ...job, commit: await commitJobOutput(job, env) };
      if (isS3Output(job.output)) await uploadOutput(job, paths.dir, env);
    } else {
      releaseJobOutput(store, job);
    }
    const now = new Date().toISOString();
    if (fatal) {
      job = transition(store, { ...job, agreement, metrics }, 'errored', { pid: null, pid_started: null, stop_reason: 'error', error_message: redactSecrets(nothingToWrite ? fatal.message : `${fatal.message} Answers so far are in ${job.output}.`, env) });
      throw fatal;
    }
    job = stop === 'completed'
      ? transition(store, { ...job, agreement, metrics }, 'completed', { completed_at: now, pid: null, pid_started: null })
      : transition(store, { ...job, agreement, metrics }, 'cancelled', {
          cancelled_at: now, pid: null, pid_started: null, stop_reason: stop === 'budget' ? 'budget' : 'cancelled',
          error_message: stop === 'budget'
            ? `Stopped before passing the --max-cost budget of $${s.max_cost}; resume with a higher --max-cost to finish.`
            : 'Cancelled; answers so far are kept. Resume to finish.',
        });
    return job;
  } catch (error) {
    try {
      const current = store.read(job.id);
      if (current.status !== 'errored') {
        job = transition(store, { ...current, ...snapshotFields(job) }, 'errored', { pid: null, stop_reason: 'error', error_message: redactSecrets(messageOf(error), env) });
      }
    } catch {
      // The record cannot be written either (a full disk): it keeps saying `running` with this
      // process's pid, which reads as crashed once the process is gone, and resumes the same way.
    }
    throw error;
  } finally {
    dataset?.close();
  }
}

/** The run stopped because a file of the job could not be written. */
function storageError(error: unknown, path: string, id: string, unwrittenBytes: number): StorageError {
  const lost = unwrittenBytes > 0 ? ` ${unwrittenBytes.toLocaleString('en-US')} bytes of answers received last could not be kept and will be asked again.` : '';
  return new StorageError(
    `Cannot write ${path} (${fileProblem(error)}); the run stopped. Every answer written before is kept.${lost}`,
    `Free some space (or fix the permissions), then \`evalctl resume ${id}\`.`,
    error,
  );
}

/** One lane per variant: its provider (built now, with its key), request, price and cache scope. */
async function lanesOf(s: JobSpec, env: NodeJS.ProcessEnv): Promise<Lane[]> {
  return Promise.all(s.variants.map(async (v) => {
    const choice: ModelChoice = { provider: v.provider, model: v.model, ...(v.base_url ? { baseURL: v.base_url } : {}) };
    const provider = v.output_type === 'image' ? await imageProvider(choice, env, s, v.name) : await createProvider(choice, env);
    // Identical prompts get identical answers only at temperature 0: then they are sent once.
    const deterministic = v.temperature === 0;
    return {
      provider,
      request: { system: v.system ?? undefined, temperature: v.temperature, maxTokens: v.max_tokens ?? undefined, ...(v.schema ? { schema: v.schema } : {}) },
      price: priceOf(v),
      // The schema is part of the key (`j`), only when there is one: free-text keys stay as they were.
      scope: deterministic ? cacheScope({ p: provider.id, u: v.base_url, m: v.model, s: v.system, t: v.temperature, x: v.max_tokens, ...(v.schema ? { j: v.schema } : {}) }) : undefined,
      ...(v.schema ? { check: answerChecker(v.schema) } : {}),
      ...embeddingLane(v),
      ...imageLane(v),
      cache: deterministic && s.cache && provider.id !== 'echo',
      endpoint: endpointKey(v),
      endpointLabel: endpointLabel(v),
    };
  }));
}


/** Work items with images handed to the runner at once at most, and the media bytes (base64) they may hold together (videos run to 100 MB each). */
const IMAGE_ITEMS_PER_YIELD = 16;
const MEDIA_BYTES_PER_YIELD = 64 * 1024 * 1024;

/** Streams the rows still to do, one work item per (row, variant) without an answer, chunk by chunk (memory: one chunk). */
async function* workItems(
  dataset: Dataset,
  columns: string[],
  renders: ((values: readonly (string | null)[]) => string | Promise<Omit<WorkItem, 'row' | 'variant'>>)[],
  done: Uint8Array,
  selection: RowSelection,
  images?: ReadonlySet<string>,
): AsyncGenerator<WorkItem[]> {
  const chosen = selection.kind === 'rows' ? new Set(sampleFile(selection.path)) : undefined;
  const limit = selection.kind === 'first' ? selection.count : undefined;
  const variants = renders.length;
  const start = selection.kind === 'range' ? selection.start : 0;
  for await (const chunk of dataset.stream(columns, limit, images)) {
    let items: WorkItem[] = [];
    let bytes = 0;
    for (let i = 0; i < chunk.rows.length; i++) {
      const row = chunk.rows[i];
      if (row < start || (chosen && !chosen.has(row))) continue;
      for (let variant = 0; variant < variants; variant++) {
        if (done[row * variants + variant]) continue;
        const rendered = renders[variant](chunk.values[i]);
        const item: WorkItem = typeof rendered === 'string' ? { row, variant, prompt: rendered } : { row, variant, ...(await rendered) };
        items.push(item);
        for (const part of item.parts ?? []) if (typeof part !== 'string' && 'data' in part) bytes += part.data.length;
      }
      // Media are read as the items are made: hand them over a few at a time, so the runner's memory bound holds.
      if (images?.size && (items.length >= IMAGE_ITEMS_PER_YIELD || bytes >= MEDIA_BYTES_PER_YIELD)) { yield items; items = []; bytes = 0; }
    }
    if (items.length) yield items;
  }
}

/** Per variant: a row's prompt with its images read (or the reason they cannot be), as a work item's `prompt`, `parts` or `error`. */
function imageRenders(s: JobSpec, parts: ReturnType<typeof compileVariants>['parts'], kind: MediaKind) {
  return parts.map((render, v) => async (values: readonly (string | null)[]) => {
    const resolved = await resolveRow(render(values), { baseDir: s.image_base ?? process.cwd(), provider: s.variants[v].provider, kind });
    return 'error' in resolved ? { prompt: resolved.key, error: resolved.error } : { prompt: resolved.key, parts: resolved.parts };
  });
}

function sampleFile(path: string): number[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { rows: number[] }).rows;
}

/** Rewrites the job record (and fsyncs answers) at most every few hundred milliseconds. */
function throttledCheckpoint(write: () => void, log: AnswerLog): (force: boolean) => void {
  let lastWrite = 0;
  let lastSync = 0;
  return (force) => {
    const now = Date.now();
    if (force || now - lastSync >= FSYNC_MS) { log.sync(); lastSync = now; }
    // The answers counted in the record reach the log first, so a kill never leaves the record ahead of it.
    if (force || now - lastWrite >= CHECKPOINT_MS) { write(); lastWrite = now; }
  };
}
