import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer } from './answers.js';
import { cacheKey, type ResponseCache } from './cache.js';
import { AdaptiveLimit } from './concurrency.js';
import { ProviderError } from './errors.js';
import { Pacer } from './pacing.js';
import { costOf, type Price } from './pricing.js';
import { estimateTokens } from './providers/echo.js';
import type { Completion, CompletionRequest, Failure, Provider } from './providers/types.js';
import { decide } from './retry.js';

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
  /** Where the provider is, for messages: "OpenAI at http://localhost:11434/v1". */
  readonly endpointLabel: string;
}

/** Live counters, updated in place as answers arrive; the progress display reads them. */
export interface RunProgress {
  /** Rows with an outcome (answer or final error), including earlier runs of the job. */
  processed: number;
  total: number;
  failed: number;
  cached: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  inFlight: number;
  concurrency: number;
  /** Set while some request waits to retry. */
  backoff?: { reason: string; until: number };
}

export type StopReason = 'completed' | 'cancelled' | 'budget' | 'fatal';

export interface RunResult {
  readonly stop: StopReason;
  readonly error?: ProviderError;
}

/** How many leading requests may all be rejected (400) before the run stops as misconfigured. */
const EARLY_BAD_REQUESTS = 3;

/**
 * The scheduler: sends each work item to the provider under an adaptive concurrency cap, with
 * retries and backoff outside the cap (a row waiting out a 429 holds no slot), optional pacing,
 * a budget, cache and in-run deduplication, and cancellation. Every outcome goes to `record`
 * as it arrives; rows in flight when the run stops are left without an outcome.
 */
export class Runner {
  private readonly limit: AdaptiveLimit;
  private readonly pacer: Pacer;
  private readonly controller = new AbortController();
  private readonly inFlightByKey = new Map<string, Promise<Completion>>();
  private readonly slotWaiters: (() => void)[] = [];
  private outstanding = 0;
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
  }

  /** Stops scheduling and aborts requests in flight; their rows stay unanswered. */
  cancel(reason: StopReason = 'cancelled'): void {
    this.stop ??= reason;
    this.controller.abort();
  }

  async run(items: AsyncIterable<WorkItem[]>): Promise<RunResult> {
    const window = Math.max(this.options.concurrency * 2, 16);
    const running = new Set<Promise<void>>();
    try {
      outer: for await (const batch of items) {
        for (const item of batch) {
          while (this.outstanding >= window && !this.stop) await this.nextSlot();
          if (this.stop) break outer;
          const key = this.options.cache ? cacheKey(this.options.cache.scope, item.prompt) : undefined;
          const hit = key !== undefined ? this.options.cache!.store.get(key) : undefined;
          if (hit) { this.finish(item, hit, true); continue; }
          if (this.overBudget(item.prompt)) { this.stop = 'budget'; break outer; }
          this.outstanding += 1;
          const task = this.process(item, key).finally(() => {
            this.outstanding -= 1;
            running.delete(task);
            this.slotWaiters.shift()?.();
          });
          running.add(task);
        }
      }
    } finally {
      await Promise.allSettled(running);
    }
    if (this.fatal) return { stop: 'fatal', error: this.fatal };
    return { stop: this.stop ?? 'completed' };
  }

  private nextSlot(): Promise<void> {
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private overBudget(prompt: string): boolean {
    if (this.options.maxCost === undefined) return false;
    const perRequest = this.paidThisRun > 0
      ? this.costThisRun / this.paidThisRun
      : costOf(this.options.price, estimateTokens((this.options.request.system ?? '') + prompt), this.options.request.maxTokens ?? 256);
    return this.progress.cost + (this.progress.inFlight + 1) * perRequest > this.options.maxCost;
  }

  private async process(item: WorkItem, key: string | undefined): Promise<void> {
    if (key !== undefined) {
      const twin = this.inFlightByKey.get(key);
      if (twin) {
        const shared = await twin.catch(() => undefined);
        if (shared) { this.finish(item, shared, true); return; }
      }
    }
    const attempt = this.attempt(item.prompt);
    if (key !== undefined) this.inFlightByKey.set(key, attempt.then((r) => r ?? Promise.reject(new Error('no answer'))));
    try {
      const completion = await attempt;
      if (completion) {
        if (key !== undefined) this.options.cache!.store.put(key, completion);
        this.finish(item, completion, false);
      }
    } catch (error) {
      if (!this.controller.signal.aborted) this.finishFailed(item, (error as Error).message);
    } finally {
      if (key !== undefined) this.inFlightByKey.delete(key);
    }
  }

  /** Tries one prompt until it succeeds (the completion), is abandoned (undefined) or fails (throws). */
  private async attempt(prompt: string): Promise<Completion | undefined> {
    const signal = this.controller.signal;
    const request = { ...this.options.request, prompt };
    const tokens = estimateTokens((request.system ?? '') + prompt) + (request.maxTokens ?? 0);
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) return undefined;
      try {
        if (this.pacer.enabled) await this.pacer.take(tokens, signal);
        const completion = await this.limit.run(async () => {
          if (signal.aborted) return undefined;
          this.progress.inFlight += 1;
          try {
            return await this.provider.complete(request, { signal, timeoutMs: this.options.timeoutMs });
          } finally {
            this.progress.inFlight -= 1;
          }
        });
        if (completion) { this.limit.onSuccess(); this.succeeded += 1; }
        return completion;
      } catch (error) {
        if (signal.aborted) return undefined;
        const failure = this.provider.classify(error);
        if (failure.kind === 'aborted') return undefined;
        const decision = this.earlyStop(failure, attempt) ?? decide(failure, attempt, { maxRetries: this.options.maxRetries, maxWaitMs: this.options.maxRetryWaitMs });
        if (decision.action === 'stop-run') { this.failRun(failure); return undefined; }
        if (decision.action === 'fail-row') throw new Error(failure.message);
        if (failure.kind === 'rate-limit') this.limit.onRateLimit();
        this.progress.concurrency = this.limit.current;
        this.progress.backoff = { reason: describe(failure), until: Date.now() + decision.delayMs };
        try {
          await sleep(decision.delayMs, undefined, { signal });
        } catch {
          return undefined;
        }
      }
    }
  }

  /** Stops the run when the very first requests show it cannot work at all. */
  private earlyStop(failure: Failure, attempt: number): { action: 'stop-run' } | undefined {
    if (this.succeeded > 0) return undefined;
    if (failure.kind === 'connection' && attempt >= 1) return { action: 'stop-run' };
    if (failure.kind === 'bad-request' && ++this.badRequests >= Math.min(EARLY_BAD_REQUESTS, this.progress.total)) return { action: 'stop-run' };
    return undefined;
  }

  private failRun(failure: Failure): void {
    if (!this.fatal) this.fatal = fatalError(failure, this.provider.model, this.options.endpointLabel);
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

function describe(failure: Failure): string {
  switch (failure.kind) {
    case 'rate-limit': return 'rate limited (429)';
    case 'server': return `server error (${failure.status})`;
    case 'connection': return 'connection dropped';
    case 'timeout': return 'request timed out';
    default: return failure.message;
  }
}

function fatalError(failure: Failure, model: string, endpoint: string): ProviderError {
  const status = failure.status;
  switch (failure.kind) {
    case 'auth':
      return new ProviderError(`${endpoint} refused the API key (${status}): ${failure.message}`, { status, hint: 'Check the API key variable (OPENAI_API_KEY or ANTHROPIC_API_KEY) and its permissions.' });
    case 'not-found':
      return new ProviderError(`${endpoint} has no model "${model}" or no such endpoint (404): ${failure.message}`, { status, hint: 'Check --model, and --base-url (for Ollama: http://localhost:11434/v1).' });
    case 'connection':
      return new ProviderError(`Cannot reach ${endpoint}: ${failure.message}`, { hint: 'Check --base-url and that the server is running.' });
    default:
      return new ProviderError(`${endpoint} rejected the first requests: ${failure.message}`, { status, hint: 'Check --model, --max-tokens, --temperature and --system for values this model does not accept.' });
  }
}
