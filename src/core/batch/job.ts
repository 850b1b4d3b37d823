import { setTimeout as sleep } from 'node:timers/promises';
import { AnswerLog, readAnswers } from '../answers.js';
import { Dataset, type InputFormat } from '../dataset.js';
import { JobError, messageOf, StorageError, fileProblem } from '../errors.js';
import { checkSourceFiles, sourceFiles } from '../source/verify.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { transition } from '../lifecycle.js';
import { redactSecrets } from '../models.js';
import { agreementOf } from '../output/agreement.js';
import { claimJobOutput } from '../output/claim.js';
import { writeJobOutput } from '../output/job-output.js';
import { thisProcess } from '../process.js';
import { scoreJobOutput } from '../score/job.js';
import { batchApi, batchCallError } from './clients.js';
import { collectBatch } from './collect.js';
import { addJudgeMetrics } from '../judge/metrics.js';
import { judgePhases } from '../judge/phases.js';
import { destinationOf, judgeUsages } from './judging.js';
import { submitJudgeBatches } from './judge-submit.js';
import { pollDelays } from './limits.js';
import { submitBatches } from './submit.js';
import { withTallies } from './tally.js';
import type { ProviderBatch } from './types.js';
import { isBatchWaiting } from './state.js';

/** How long `cancel` waits for the providers to finish cancelling before it gives up. */
const CANCEL_WAIT_MS = 60_000;

export { isBatchWaiting };

/**
 * Runs a `--batch-api` job as far as this process goes: sends its requests as provider batches
 * and leaves it `running`/`submitted` with no process alive. Rows with an answer, and rows in a
 * batch sent before (a submission cut short), are not sent. Returns the record.
 */
export async function startBatchJob(store: JobStore, id: string, options: { env: NodeJS.ProcessEnv; dataset?: Dataset }): Promise<JobRecord> {
  const release = store.lockRun(id);
  let job = store.read(id);
  let dataset = options.dataset;
  try {
    job = transition(store, job, 'running', { pid: process.pid, pid_started: thisProcess().started, started_at: job.started_at ?? new Date().toISOString(), error_message: null, stop_reason: null, cancelled_at: null, completed_at: null, batch_state: 'submitting', batch_phase: 'answers' });
    checkSourceFiles(job.source, job.id);
    claimJobOutput(store, job);
    dataset ??= await Dataset.open(sourceFiles(job.source), { format: job.settings.input_format as InputFormat });
    job = await submitBatches(store, job, dataset, options.env);
    job = transition(store, job, 'running', { pid: null, pid_started: null, batch_state: 'submitted' });
  } catch (error) {
    throw fail(store, job, error, options.env);
  } finally {
    dataset?.close();
    release();
  }
  // Nothing left to send and nothing waiting (every row answered before): write the output now.
  return (job.batches ?? []).every((b) => b.collected || b.ended) ? refreshBatchJob(store, id, options.env) : job;
}

/**
 * Asks the providers how the job's batches are doing (cancelling them first with `cancel`) and
 * records their counts; once every batch has ended, streams their results into the answer log
 * and writes the output the usual way. Another process already on it is left to it.
 */
export async function refreshBatchJob(store: JobStore, id: string, env: NodeJS.ProcessEnv, options: { cancel?: boolean } = {}): Promise<JobRecord> {
  let job = store.read(id);
  if (!isBatchWaiting(job)) return job;
  let release: () => void;
  try {
    release = store.lockRun(job.id);
  } catch {
    return job;
  }
  try {
    job = store.read(id);
    if (!isBatchWaiting(job)) return job;
    const batches: ProviderBatch[] = (job.batches ?? []).map((b) => ({ ...b, counts: { ...b.counts } }));
    for (const batch of batches) {
      if (batch.ended) continue;
      const api = apiFor(job, batch, env);
      try {
        if (options.cancel) await api.cancel(batch.id);
        Object.assign(batch, await api.retrieve(batch.id));
      } catch (error) {
        throw batchCallError(options.cancel ? 'cancel' : 'check on', batch.id, error);
      }
    }
    job = transition(store, job, 'running', { batches });
    if (!batches.every((b) => b.ended)) return job;
    return await collectAndCommit(store, job, env);
  } finally {
    release();
  }
}

/**
 * `evalctl cancel` of a job waiting on its batches: cancels them at the provider, waits for them
 * to end, keeps every result they completed and writes the partial output (`cancelled`).
 */
export async function cancelBatchJob(store: JobStore, id: string, env: NodeJS.ProcessEnv): Promise<JobRecord> {
  store.requestCancel(id);
  let job = await refreshBatchJob(store, id, env, { cancel: true });
  const deadline = Date.now() + CANCEL_WAIT_MS;
  const delay = pollDelays(env);
  while (isBatchWaiting(job) && Date.now() < deadline) {
    await sleep(Math.min(delay(), Math.max(0, deadline - Date.now())));
    job = await refreshBatchJob(store, id, env);
  }
  if (isBatchWaiting(job)) throw new JobError(`The batches of job ${job.id} were cancelled but have not ended within ${CANCEL_WAIT_MS / 1000}s.`, `\`evalctl status ${job.id}\` collects what they completed once they end.`);
  return job;
}

async function collectAndCommit(store: JobStore, job: JobRecord, env: NodeJS.ProcessEnv): Promise<JobRecord> {
  // A process is at work again: one that dies here leaves a crashed job, resumable.
  job = transition(store, job, 'running', { pid: process.pid, pid_started: thisProcess().started });
  const paths = store.paths(job.id);
  let dataset: Dataset | undefined;
  try {
    dataset = await Dataset.open(sourceFiles(job.source), { format: job.settings.input_format as InputFormat });
    const rows = dataset.rowCount;
    const variants = job.settings.variants.length;
    const phases = job.settings.judge || job.settings.pairwise ? judgePhases(store, job, dataset) : [];
    const done = new Map<string, Uint8Array>();
    const batches = job.batches!.map((b) => ({ ...b }));
    for (const batch of batches.filter((b) => !b.collected)) {
      const destination = destinationOf(job, paths.answers, phases, batch);
      if (destination) {
        const { log: path, target } = destination;
        if (!done.has(path)) done.set(path, (await readAnswers(path, rows, target.lanes)).done);
        const log = new AnswerLog(path);
        try {
          await collectBatch(apiFor(job, batch, env), batch.id, target, done.get(path)!, log, env);
        } catch (error) {
          throw batchCallError('read the results of', batch.id, error);
        } finally {
          log.close();
        }
        if (log.failure) throw new StorageError(`Cannot write ${path} (${fileProblem(log.failure)}).`, `Free some space, then \`evalctl status ${job.id}\` again.`, log.failure);
      }
      batch.collected = true;
      job = transition(store, job, 'running', { batches });
    }
    job = withTallies(job, await readAnswers(paths.answers, rows, variants));
    const cancelled = store.cancelRequested(job.id);
    // Judging is a second set of batches over the answers, as live it is a second phase; not after a cancel.
    if (phases.length > 0 && !cancelled && job.batch_phase !== 'judges') {
      const sent = job.batches?.length ?? 0;
      job = transition(store, job, 'running', { batch_phase: 'judges', batch_state: 'submitting' });
      job = await submitJudgeBatches(store, job, dataset, phases, env);
      job = transition(store, job, 'running', { pid: null, pid_started: null, batch_state: 'submitted' });
      if ((job.batches?.length ?? 0) > sent) return job;
    }
    if (phases.length > 0) job = { ...job, ...(await judgeUsages(phases, rows)) };
    claimJobOutput(store, job);
    job = transition(store, job, 'committing', { batch_state: null, batch_phase: null });
    let agreement: JobRecord['agreement'] = null;
    const names = job.settings.variants.map((v) => v.name);
    await writeJobOutput(store, job, dataset, { afterWrite: async (connection, answers) => { agreement = await agreementOf(connection, answers, names).catch(() => null); } });
    let metrics = await scoreJobOutput(job);
    if (metrics && phases.length > 0) metrics = await addJudgeMetrics(store, job, rows, metrics);
    const now = new Date().toISOString();
    return transition(store, { ...job, agreement, metrics }, cancelled ? 'cancelled' : 'completed', cancelled
      ? { pid: null, pid_started: null, cancelled_at: now, stop_reason: 'cancelled', error_message: 'Cancelled; the provider batches were cancelled and what they completed is kept. Resume to send the rest.' }
      : { pid: null, pid_started: null, completed_at: now });
  } catch (error) {
    throw fail(store, job, error, env);
  } finally {
    dataset?.close();
  }
}

/** The job is recorded as errored (resumable) with the error's one line; returns the error to throw. */
function fail(store: JobStore, job: JobRecord, error: unknown, env: NodeJS.ProcessEnv): unknown {
  try {
    const current = store.read(job.id);
    if (current.status !== 'errored') transition(store, current, 'errored', { pid: null, pid_started: null, batch_state: null, stop_reason: 'error', error_message: redactSecrets(messageOf(error), env) });
  } catch {
    // The record cannot be written either: it reads as crashed once this process is gone.
  }
  return error;
}

/** The batch API a batch was sent to, with a model of that endpoint (a variant's, or the judge's) for its key. */
function apiFor(job: JobRecord, batch: ProviderBatch, env: NodeJS.ProcessEnv) {
  const s = job.settings;
  const models = [...s.variants, ...(s.judge ? [s.judge] : []), ...(s.pairwise ? [s.pairwise] : [])];
  const model = models.find((m) => m.provider === batch.provider && (m.base_url ?? null) === batch.base_url);
  return batchApi({ provider: batch.provider, base_url: batch.base_url, model: model?.model ?? '' }, env);
}
