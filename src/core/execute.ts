import { readFileSync } from 'node:fs';
import { AnswerLog, readAnswers, type Answer } from './answers.js';
import { cacheScope, ResponseCache } from './cache.js';
import { Dataset, type InputFormat } from './dataset.js';
import { EvalctlError, JobError, messageOf } from './errors.js';
import { outputFileFor } from './source/emit.js';
import { checkSourceFiles, sourceFiles } from './source/verify.js';
import { shardOutputMetadata } from './shard.js';
import { commitJobOutput } from './commit/job.js';
import { isS3Output, uploadOutput } from './source/upload.js';
import { isActive, JobStore, type JobRecord } from './jobs.js';
import { createProvider, redactSecrets, type ModelChoice } from './models.js';
import { creditsOf, priceFor } from './pricing.js';
import type { RunProgress } from './progress.js';
import { Runner, type StopReason, type WorkItem } from './runner.js';
import { bindColumns, compileTemplate, parseTemplate } from './template.js';
import { writeOutput, type OutputFormat, type RowSelection } from './writer.js';

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
}

/** How often the job record is rewritten at most, and answers fsynced, in milliseconds. */
const CHECKPOINT_MS = 250;
const FSYNC_MS = 1000;

/**
 * Runs a job to its end: streams the rows that have no answer yet, sends them through the
 * runner, makes each answer durable as it arrives, then writes the output file. Used by
 * `create` (foreground or detached) and `resume`. Returns the final record; throws only for
 * errors that stopped the run, after recording them in the job.
 */
export async function runJob(store: JobStore, id: string, hooks: RunHooks = {}): Promise<JobRecord> {
  const env = hooks.env ?? process.env;
  let job = store.read(id);
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
  job = { ...job, status: 'running', pid: process.pid, started_at: job.started_at ?? new Date().toISOString(), error_message: null, stop_reason: null, cancelled_at: null, completed_at: null };
  store.write(job);
  let dataset = hooks.dataset;
  try {
    checkSourceFiles(job.source, job.id);
    dataset ??= await Dataset.open(sourceFiles(job.source), { format: job.settings.input_format as InputFormat });
    const s = job.settings;
    const template = parseTemplate(s.prompt);
    const binding = bindColumns(template, dataset.columns.map((c) => c.name), dataset.label);
    const columns = [...new Set(binding.values())];
    const render = compileTemplate(template, columns, binding);
    const choice: ModelChoice = { provider: s.provider as ModelChoice['provider'], model: s.model, ...(s.base_url ? { baseURL: s.base_url } : {}) };
    const provider = await createProvider(choice, env);
    const price = s.price ?? priceFor(s.model);
    const selection = selectionOf(job, paths.sample);

    const { done, failed, tally } = await readAnswers(paths.answers, dataset.rowCount);
    const progress: RunProgress = {
      processed: tally.answered + tally.failed, total: job.progress.total, failed: tally.failed, cached: tally.cached,
      promptTokens: tally.promptTokens, completionTokens: tally.completionTokens, cost: tally.cost,
      inFlight: 0, concurrency: s.concurrency,
    };
    const useCache = s.cache && s.temperature === 0 && provider.id !== 'echo';
    const cache = useCache ? await ResponseCache.open(store.cacheDir) : undefined;
    const log = new AnswerLog(paths.answers);
    const checkpoint = throttledCheckpoint(store, () => (job = snapshot(job, progress, price)), log);
    let sinceBatch = 0;
    const runner = new Runner(provider, {
      concurrency: s.concurrency,
      maxRetries: s.max_retries,
      timeoutMs: s.timeout_seconds * 1000,
      maxRetryWaitMs: s.max_retry_wait_seconds * 1000,
      rpm: s.rpm ?? undefined,
      tpm: s.tpm ?? undefined,
      maxCost: s.max_cost ?? undefined,
      request: { system: s.system ?? undefined, temperature: s.temperature, maxTokens: s.max_tokens ?? undefined },
      price,
      cache: cache && { store: cache, scope: cacheScope({ p: provider.id, u: s.base_url, m: s.model, s: s.system, t: s.temperature, x: s.max_tokens }) },
      dedupe: s.temperature === 0,
      endpointLabel: endpointLabel(choice),
    }, progress, (answer: Answer) => {
      // A row that failed in an earlier run is counted once: its new outcome replaces the old one.
      if (failed[answer.row]) { failed[answer.row] = 0; progress.processed -= 1; progress.failed -= 1; }
      log.append(answer.error === null ? answer : { ...answer, error: redactSecrets(answer.error, env) });
      if (++sinceBatch >= s.batch_size) { sinceBatch = 0; checkpoint(false); }
    });

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
      const result = await runner.run(workItems(dataset, columns, render, done, selection));
      stop = result.stop;
      fatal = result.error;
    } finally {
      clearInterval(watcher);
      hooks.signal?.removeEventListener('abort', onAbort);
      log.close();
      await cache?.close();
    }
    job = snapshot(job, progress, price);
    if (fatal) throw fatal;

    job = { ...job, status: 'committing' };
    store.write(job);
    hooks.onCommit?.(job);
    await writeOutput(dataset, {
      output: outputFileFor(job.output, s.output_format, paths.dir),
      format: s.output_format as OutputFormat,
      targetColumn: s.target_column,
      answersPath: paths.answers,
      selection,
      notRunMessage: stop === 'budget' ? 'not run: the --max-cost budget was reached' : 'not run: the job was cancelled before this row',
      usageColumns: s.usage_columns,
      metadata: shardOutputMetadata(job),
    });
    if (stop === 'completed' && s.commit) job = { ...job, commit: await commitJobOutput(job, env) };
    if (isS3Output(job.output)) await uploadOutput(job, paths.dir, env);
    const now = new Date().toISOString();
    job = stop === 'completed'
      ? { ...job, status: 'completed', completed_at: now, pid: null }
      : {
          ...job, status: 'cancelled', cancelled_at: now, pid: null, stop_reason: stop === 'budget' ? 'budget' : 'cancelled',
          error_message: stop === 'budget'
            ? `Stopped before passing the --max-cost budget of $${s.max_cost}; resume with a higher --max-cost to finish.`
            : 'Cancelled; answers so far are kept. Resume to finish.',
        };
    store.write(job);
    return job;
  } catch (error) {
    job = { ...job, status: 'errored', pid: null, stop_reason: 'error', error_message: redactSecrets(messageOf(error), env) };
    store.write(job);
    throw error;
  } finally {
    dataset?.close();
  }
}

/** Streams the rows still to do, rendered, chunk by chunk (memory: one chunk). */
async function* workItems(
  dataset: Dataset,
  columns: string[],
  render: (values: readonly (string | null)[]) => string,
  done: Uint8Array,
  selection: RowSelection,
): AsyncGenerator<WorkItem[]> {
  const chosen = selection.kind === 'rows' ? new Set(sampleFile(selection.path)) : undefined;
  const limit = selection.kind === 'first' ? selection.count : selection.kind === 'range' ? selection.end : undefined;
  const start = selection.kind === 'range' ? selection.start : 0;
  for await (const chunk of dataset.stream(columns, limit)) {
    const items: WorkItem[] = [];
    for (let i = 0; i < chunk.rows.length; i++) {
      const row = chunk.rows[i];
      if (done[row] || row < start || (chosen && !chosen.has(row))) continue;
      items.push({ row, prompt: render(chunk.values[i]) });
    }
    if (items.length) yield items;
  }
}

function selectionOf(job: JobRecord, samplePath: string): RowSelection {
  const s = job.settings;
  if (s.shard) return { kind: 'range', start: s.shard.start, end: s.shard.end };
  if (!s.is_sample || s.sample_count === null) return { kind: 'all' };
  if (s.sample_seed === null) return { kind: 'first', count: s.sample_count };
  return { kind: 'rows', path: samplePath };
}

function sampleFile(path: string): number[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { rows: number[] }).rows;
}

function snapshot(job: JobRecord, progress: RunProgress, price: ReturnType<typeof priceFor>): JobRecord {
  const tokens = progress.promptTokens + progress.completionTokens;
  return {
    ...job,
    progress: { processed: progress.processed, total: progress.total },
    failed_rows: progress.failed,
    cached_rows: progress.cached,
    prompt_tokens_used: progress.promptTokens,
    completion_tokens_used: progress.completionTokens,
    tokens_used: tokens,
    cost_usd: price ? progress.cost : null,
    credits_used: creditsOf(price, tokens),
    backoff: progress.backoff && progress.backoff.until > Date.now() ? { ...progress.backoff, concurrency: progress.concurrency } : null,
  };
}

/** Rewrites the job record (and fsyncs answers) at most every few hundred milliseconds. */
function throttledCheckpoint(store: JobStore, update: () => JobRecord, log: AnswerLog): (force: boolean) => void {
  let lastWrite = 0;
  let lastSync = 0;
  return (force) => {
    const now = Date.now();
    if (force || now - lastSync >= FSYNC_MS) { log.sync(); lastSync = now; }
    // The answers counted in the record reach the log first, so a kill never leaves the record ahead of it.
    if (force || now - lastWrite >= CHECKPOINT_MS) { log.flush(); store.write(update()); lastWrite = now; }
  };
}

function endpointLabel(choice: ModelChoice): string {
  const name = choice.provider === 'anthropic' ? 'Anthropic' : choice.provider === 'openai' ? 'OpenAI' : 'echo';
  return choice.baseURL ? `${name}-compatible server at ${choice.baseURL}` : `the ${name} API`;
}
