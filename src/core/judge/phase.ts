import { existsSync } from 'node:fs';
import { AnswerLog, readAnswers, type Answer } from '../answers.js';
import { writeAnswersByRow } from '../answers-by-row.js';
import { cacheScope, ResponseCache } from '../cache.js';
import type { Dataset } from '../dataset.js';
import { fileProblem, StorageError, type ProviderError } from '../errors.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { createProvider, redactSecrets } from '../models.js';
import { selectionOf } from '../output/job-output.js';
import { priceFor } from '../pricing.js';
import { LatencySample } from '../run/latency.js';
import type { RunProgress } from '../run/progress.js';
import { Runner, type Lane, type StopReason, type WorkItem } from '../run/runner.js';
import { endpointKey, endpointLabel } from '../spec.js';
import { selectedRows } from '../writer.js';
import { judgeItems, type RowItems } from './items.js';
import type { JudgeUsage } from './metrics.js';
import type { JudgeModel } from './spec.js';
import { judgePhases, type JudgePhase } from './phases.js';

export interface JudgingContext {
  store: JobStore;
  job: JobRecord;
  dataset: Dataset;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onWarning?(message: string): void;
  /** What the job's answers have cost so far (every run): the budget covers answers and judges together. */
  answersCost: number;
}

export interface JudgingResult {
  stop: StopReason;
  error?: ProviderError;
  judge_usage: JudgeUsage | null;
  pairwise_usage: JudgeUsage | null;
}

/**
 * The judging phases of a job, after its answers and before its output is written: the judge
 * (one request per answered (row, variant)) then the pairwise comparison (two per row both
 * variants answered, one per order). Each runs through the scheduler like the answers do
 * (cache, retries, concurrency, cancellation), appends to its own log (pairs with a verdict
 * there are skipped on resume), and spends from the job's one budget.
 */
export async function runJudging(context: JudgingContext): Promise<JudgingResult> {
  const { store, job, dataset } = context;
  const s = job.settings;
  const result: JudgingResult = { stop: 'completed', judge_usage: null, pairwise_usage: null };
  const phases = judgePhases(store, job, dataset);
  if (phases.length === 0) return result;

  const paths = store.paths(job.id);
  const selection = selectionOf(job, paths.sample);
  const byRow = dataset.tempFile('judge-answers-by-row.jsonl');
  await writeAnswersByRow({ logPath: paths.answers, outPath: byRow, rowCount: dataset.rowCount, variants: s.variants.length, rows: selectedRows(selection, dataset.rowCount) });
  const cache = s.cache && phases.some((p) => p.model.provider !== 'echo') ? await ResponseCache.open(store.cacheDir, (message) => context.onWarning?.(message)) : undefined;
  try {
    // Spent before each phase, by every phase: earlier runs' judging counts against the budget too.
    const spent = await Promise.all(phases.map(async (p) => (existsSync(p.log) ? (await readAnswers(p.log, dataset.rowCount, p.lanes)).tallies.reduce((sum, t) => sum + t.cost, 0) : 0)));
    for (const [i, phase] of phases.entries()) {
      const others = context.answersCost + spent.reduce((sum, cost, j) => (j === i ? sum : sum + cost), 0);
      const outcome = await runPhase(context, phase, byRow, selection, cache, others);
      result[phase.key] = outcome.usage;
      spent[i] = outcome.progress.cost;
      if (outcome.stop !== 'completed') return { ...result, stop: outcome.stop, error: outcome.error };
    }
    return result;
  } finally {
    await cache?.close();
  }
}

async function runPhase(
  context: JudgingContext, phase: JudgePhase, byRow: string,
  selection: ReturnType<typeof selectionOf>, cache: ResponseCache | undefined, spentElsewhere: number,
): Promise<{ stop: StopReason; error?: ProviderError; usage: JudgeUsage; progress: RunProgress }> {
  const { store, job, dataset, env } = context;
  const s = job.settings;
  const log = new AnswerLog(phase.log);
  const state = await readAnswers(phase.log, dataset.rowCount, phase.lanes);
  const progress = progressOf(state.tallies, s.concurrency);
  const lanes = await lanesOf(phase.model, phase.lanes, s.cache, env);
  const price = phase.model.price ?? priceFor(phase.model.model);
  const maxCost = s.max_cost === null ? null : s.max_cost - spentElsewhere;
  const runner = new Runner({ lanes, settings: { ...s, max_cost: maxCost }, cache, maxAnswerBytes: s.max_answer_bytes ?? undefined }, progress, (answer: Answer) => {
    const at = answer.row * phase.lanes + answer.variant;
    if (state.failed[at]) {
      state.failed[at] = 0;
      for (const p of [progress, progress.variants[answer.variant]]) { p.processed -= 1; p.failed -= 1; }
    }
    const line = answer.error === null ? { ...answer, ...phase.read(answer.answer ?? '') } : { ...answer, error: redactSecrets(answer.error, env) };
    log.append(line as Answer);
  });
  log.onFailure = () => runner.cancel('fatal');
  const onAbort = () => runner.cancel('cancelled');
  context.signal?.addEventListener('abort', onAbort, { once: true });
  if (context.signal?.aborted || store.cancelRequested(job.id)) onAbort();
  let lastSync = 0;
  const watcher = setInterval(() => {
    if (store.cancelRequested(job.id)) runner.cancel('cancelled');
    if (Date.now() - lastSync >= 1000) { log.sync(); lastSync = Date.now(); }
  }, 300);
  let result;
  try {
    // Only pairs without a verdict in this log are asked (a resumed job pays for none twice).
    const done = state.done;
    const build: RowItems = (row, values, answers) => phase.build(row, values, answers).filter((item: WorkItem) => !done[row * phase.lanes + item.variant]);
    result = await runner.run(judgeItems(dataset, phase.columns, byRow, selection, build));
  } finally {
    clearInterval(watcher);
    context.signal?.removeEventListener('abort', onAbort);
    log.close();
  }
  if (log.failure) {
    throw new StorageError(`Cannot write ${phase.log} (${fileProblem(log.failure)}); the run stopped. Every verdict written before is kept.`, `Free some space (or fix the permissions), then \`evalctl resume ${job.id}\`.`, log.failure);
  }
  const usage: JudgeUsage = {
    judged: progress.processed - progress.failed, failed: progress.failed,
    prompt_tokens: progress.promptTokens, completion_tokens: progress.completionTokens, cost_usd: price ? progress.cost : null,
  };
  return { stop: result.stop, error: result.error, usage, progress };
}

/** One lane per answer lane (variant or order), all to the judge model at temperature 0. */
async function lanesOf(model: JudgeModel, count: number, cacheOn: boolean, env: NodeJS.ProcessEnv): Promise<Lane[]> {
  const provider = await createProvider({ provider: model.provider, model: model.model, ...(model.base_url ? { baseURL: model.base_url } : {}) }, env);
  const lane: Lane = {
    provider,
    request: { temperature: 0 },
    price: model.price ?? priceFor(model.model),
    // The key adds the rendered judge prompt, which holds the rubric and the answer judged.
    scope: cacheScope({ p: provider.id, u: model.base_url, m: model.model, s: null, t: 0, x: null }),
    cache: cacheOn && provider.id !== 'echo',
    endpoint: endpointKey(model),
    endpointLabel: endpointLabel(model),
  };
  return Array.from({ length: count }, () => lane);
}

function progressOf(tallies: Awaited<ReturnType<typeof readAnswers>>['tallies'], concurrency: number): RunProgress {
  const variants = tallies.map((t) => ({
    processed: t.answered + t.failed, failed: t.failed, cached: t.cached,
    promptTokens: t.promptTokens, completionTokens: t.completionTokens, cost: t.cost, latency: t.latency ?? new LatencySample(),
  }));
  const sum = (key: 'processed' | 'failed' | 'cached' | 'promptTokens' | 'completionTokens' | 'cost') => variants.reduce((total, v) => total + v[key], 0);
  return {
    processed: sum('processed'), total: 0, failed: sum('failed'), cached: sum('cached'),
    promptTokens: sum('promptTokens'), completionTokens: sum('completionTokens'), cost: sum('cost'),
    inFlight: 0, concurrency, variants,
  };
}
