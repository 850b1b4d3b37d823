import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer } from './answers.js';
import { cacheKey, type ResponseCache } from './cache.js';
import { AdaptiveLimit } from './concurrency.js';
import { ProviderError } from './errors.js';
import { Pacer } from './pacing.js';
import { costOf, type Price } from './pricing.js';
import { estimateTokens } from './providers/echo.js';
import type { Completion, CompletionRequest, Failure, Provider } from './providers/types.js';
import { describe, fatalError, rowError } from './failure-text.js';
import type { RunProgress } from './progress.js';
import { decide, type Decision } from './retry.js';

/** One row to send: its row number and rendered prompt. */
export interface WorkItem {
  readonly row: number;
  readonly prompt: string;
}

export interface RunnerOptions {
  readonly concurrency: number;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  readonly maxRetryWaitMs: number;
  readonly rpm?: number;
  readonly tpm?: number;
  /** Stop scheduling before total spend (including `progress.cost` at start) would pass this. */
  readonly maxCost?: number;
  /** Everything but the prompt. */
  readonly request: Omit<CompletionRequest, 'prompt'>;
  readonly price?: Price;
  /** Response cache and the scope its keys are made in (see `cacheScope`). */
  readonly cache?: { store: ResponseCache; scope: string };
  /** Send identical prompts once per run (answers are deterministic: temperature 0). */
  readonly dedupe?: boolean;
  /** Where the provider is, for messages: "OpenAI at http://localhost:11434/v1". */
  readonly endpointLabel: string;
}

export type StopReason = 'completed' | 'cancelled' | 'budget' | 'fatal';

export interface RunResult {
  readonly stop: StopReason;
  readonly error?: ProviderError;
}

/** How many leading requests may all be rejected (400) before the run stops as misconfigured. */
const EARLY_BAD_REQUESTS = 3;
/** Rows admitted at most, counting those waiting out a backoff (bounds memory). */
const MAX_OUTSTANDING = 4096;
/** Prompts remembered for in-run deduplication; past this the oldest are forgotten. */
const MEMO_LIMIT = 10_000;

/** What became of one prompt: an answer, a final error, or nothing (the run stopped first). */
type Outcome = { completion: Completion } | { error: string } | undefined;

/**
 * The scheduler: sends each work item to the provider under an adaptive concurrency cap, with
 * retries and backoff outside the cap (a row waiting out a 429 holds no slot and does not
 * count toward the rows kept ready), optional pacing, a budget, cache and in-run
 * deduplication, and cancellation. Every outcome goes to `record` as it arrives; rows in
 * flight when the run stops are left without an outcome.
 */
export class Runner {
  private readonly limit: AdaptiveLimit;
  private readonly pacer: Pacer;
  private readonly controller = new AbortController();
  /** Each prompt sent in this run (by key) and its outcome; a twin waits on it instead of paying again. */
  private readonly memo = new Map<string, Promise<Outcome>>();
  private wakeUp?: () => void;
  /** Rows admitted and not finished yet. */
  private outstanding = 0;
  /** Of those, rows sleeping before a retry. */
  private sleeping = 0;
  private paidThisRun = 0;
  private costThisRun = 0;
  private succeeded = 0;
  private badRequests = 0;
  private stop?: StopReason;
  private fatal?: ProviderError;

  constructor(
    private readonly provider: Provider,
    private readonly options: RunnerOptions,
    private readonly progress: RunProgress,
    private readonly record: (answer: Answer) => void,
  ) {
    this.limit = new AdaptiveLimit(options.concurrency);
    this.pacer = new Pacer(options);
    progress.concurrency = options.concurrency;
    // Every row sleeping before a retry listens for a cancel; there may be hundreds.
    setMaxListeners(0, this.controller.signal);
  }

  /** Stops scheduling and aborts requests in flight; their rows stay unanswered. */
  cancel(reason: StopReason = 'cancelled'): void {
    this.stop ??= reason;
    this.controller.abort();
    this.wake();
  }

  async run(items: AsyncIterable<WorkItem[]>): Promise<RunResult> {
    const running = new Set<Promise<void>>();
    try {
      outer: for await (const batch of items) {
        for (const item of batch) {
          while (!this.stop && this.full()) await this.nextWake();
          if (this.stop) break outer;
          const key = this.keyOf(item.prompt);
          const hit = key !== undefined ? this.options.cache?.store.get(key) : undefined;
          if (hit) { this.finish(item, hit, true); continue; }
          const twin = key !== undefined ? this.memo.get(key) : undefined;
          // A twin costs nothing; anything else waits until the budget can cover it with
          // everything already admitted, and the run stops once nothing is left to wait for.
          while (!twin && !this.stop && this.overBudget(item.prompt)) {
            if (this.outstanding === 0) this.stop = 'budget';
            else await this.nextWake();
          }
          if (this.stop) break outer;
          this.outstanding += 1;
          const task = this.process(item, key, twin).finally(() => {
            this.outstanding -= 1;
            running.delete(task);
            this.wake();
          });
          running.add(task);
        }
      }
    } finally {
      await Promise.allSettled(running);
      // The remembered outcomes are only for twins within this run; free them before the output is written.
      this.memo.clear();
    }
    if (this.fatal) return { stop: 'fatal', error: this.fatal };
    return { stop: this.stop ?? 'completed' };
  }

  /**
   * Enough rows are ready: twice the concurrency cap, not counting rows sleeping before a retry.
   * Until a first answer arrives only one wave goes out, so a run that cannot work (bad key,
   * dead server) stops after a few requests.
   */
  private full(): boolean {
    if (this.succeeded === 0) return this.outstanding >= this.limit.max;
    const ready = this.outstanding - this.sleeping;
    return ready >= Math.max(this.limit.max * 2, 16) || this.outstanding >= MAX_OUTSTANDING;
  }

  private nextWake(): Promise<void> {
    return new Promise((resolve) => { this.wakeUp = resolve; });
  }

  private wake(): void {
    const resolve = this.wakeUp;
    this.wakeUp = undefined;
    resolve?.();
  }

  /** The dedupe/cache key of a prompt; undefined when answers may differ between identical prompts. */
  private keyOf(prompt: string): string | undefined {
    const scope = this.options.cache?.scope ?? (this.options.dedupe ? '' : undefined);
    return scope === undefined ? undefined : cacheKey(scope, prompt);
  }

  /** Would one more request pass the budget, counting every admitted row at the mean cost so far? */
  private overBudget(prompt: string): boolean {
    if (this.options.maxCost === undefined) return false;
    const perRequest = this.paidThisRun > 0
      ? this.costThisRun / this.paidThisRun
      : costOf(this.options.price, estimateTokens((this.options.request.system ?? '') + prompt), this.options.request.maxTokens ?? 256);
    return this.progress.cost + (this.outstanding + 1) * perRequest > this.options.maxCost;
  }

  private async process(item: WorkItem, key: string | undefined, twin: Promise<Outcome> | undefined): Promise<void> {
    let outcome = twin ? await twin : undefined;
    const shared = outcome !== undefined;
    if (!outcome) {
      if (this.controller.signal.aborted) return;
      const sending = this.send(item.prompt);
      if (key !== undefined) this.remember(key, sending);
      outcome = await sending;
    }
    if (!outcome) return;
    if ('error' in outcome) { this.finishFailed(item, outcome.error); return; }
    if (!shared && key !== undefined) this.options.cache?.store.put(key, outcome.completion);
    this.finish(item, outcome.completion, shared);
  }

  private remember(key: string, outcome: Promise<Outcome>): void {
    this.memo.set(key, outcome);
    if (this.memo.size > MEMO_LIMIT) this.memo.delete(this.memo.keys().next().value!);
  }

  /** Tries one prompt until it is answered, fails for good, or the run stops (undefined). */
  private async send(prompt: string): Promise<Outcome> {
    const signal = this.controller.signal;
    const request = { ...this.options.request, prompt };
    const tokens = estimateTokens((request.system ?? '') + prompt) + (request.maxTokens ?? 0);
    const attempts = { rateLimited: 0, failed: 0 };
    for (;;) {
      if (signal.aborted) return undefined;
      try {
        const completion = await this.limit.run(async () => {
          if (this.pacer.enabled) await this.pacer.take(tokens, signal);
          return this.call(request);
        });
        if (!completion) return undefined;
        this.succeeded += 1;
        this.limit.onSuccess();
        this.progress.concurrency = this.limit.current;
        return { completion };
      } catch (error) {
        if (signal.aborted) return undefined;
        const failure = this.provider.classify(error);
        if (failure.kind === 'aborted') return undefined;
        const decision = this.earlyStop(failure, attempts.failed, decide(failure, attempts, { maxRetries: this.options.maxRetries, maxWaitMs: this.options.maxRetryWaitMs }));
        if (decision.action === 'stop-run') { this.failRun(failure); return undefined; }
        if (decision.action === 'fail-row') return { error: rowError(failure, attempts.rateLimited + attempts.failed + 1, this.options.timeoutMs) };
        if (failure.kind === 'rate-limit') { attempts.rateLimited += 1; this.limit.onRateLimit(); } else attempts.failed += 1;
        this.progress.concurrency = this.limit.current;
        this.progress.backoff = { reason: describe(failure), until: Date.now() + decision.delayMs };
        this.sleeping += 1;
        this.wake();
        try {
          await sleep(decision.delayMs, undefined, { signal });
        } catch {
          return undefined;
        } finally {
          this.sleeping -= 1;
        }
      }
    }
  }

  /** One request, inside a concurrency slot. */
  private async call(request: CompletionRequest): Promise<Completion | undefined> {
    const run = this.controller.signal;
    if (run.aborted) return undefined;
    // A signal per request, linked to the run's: the SDKs never remove the abort listener they
    // add, so one long-lived signal would collect a listener (and a request) per call.
    const controller = new AbortController();
    const abort = () => controller.abort();
    run.addEventListener('abort', abort, { once: true });
    this.progress.inFlight += 1;
    try {
      return await this.provider.complete(request, { signal: controller.signal, timeoutMs: this.options.timeoutMs });
    } finally {
      this.progress.inFlight -= 1;
      run.removeEventListener('abort', abort);
    }
  }

  /**
   * Stops the run when the first requests show it cannot work at all: before anything has
   * succeeded, a server that cannot be reached or does not answer within --timeout twice for
   * a row, or rejects the first few requests, is a setup problem, not a problem with those rows.
   */
  private earlyStop(failure: Failure, failedBefore: number, decision: Decision): Decision {
    if (this.succeeded > 0 || decision.action === 'stop-run') return decision;
    const stop = { action: 'stop-run' } as const;
    if ((failure.kind === 'connection' || failure.kind === 'timeout') && (failedBefore >= 1 || decision.action === 'fail-row')) return stop;
    if (failure.kind === 'bad-request' && ++this.badRequests >= Math.min(EARLY_BAD_REQUESTS, this.progress.total)) return stop;
    return decision;
  }

  private failRun(failure: Failure): void {
    if (!this.fatal) this.fatal = fatalError(failure, this.provider, this.options.endpointLabel, this.options.timeoutMs);
    this.cancel('fatal');
  }

  private finish(item: WorkItem, completion: Completion, cached: boolean): void {
    const promptTokens = cached ? 0 : completion.promptTokens;
    const completionTokens = cached ? 0 : completion.completionTokens;
    const cost = costOf(this.options.price, promptTokens, completionTokens);
    if (!cached) { this.paidThisRun += 1; this.costThisRun += cost; }
    const p = this.progress;
    p.processed += 1;
    if (cached) p.cached += 1;
    p.promptTokens += promptTokens;
    p.completionTokens += completionTokens;
    p.cost += cost;
    if (p.backoff && p.backoff.until < Date.now()) p.backoff = undefined;
    this.record({ row: item.row, answer: completion.text, error: null, prompt_tokens: promptTokens, completion_tokens: completionTokens, cost, cached });
  }

  private finishFailed(item: WorkItem, message: string): void {
    this.progress.processed += 1;
    this.progress.failed += 1;
    this.record({ row: item.row, answer: null, error: message, prompt_tokens: 0, completion_tokens: 0, cost: 0, cached: false });
  }
}
