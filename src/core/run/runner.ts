import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer } from '../answers.js';
import { cacheKey } from '../cache.js';
import { ProviderError } from '../errors.js';
import { estimateTokens } from '../providers/echo.js';
import { Endpoint } from './endpoint.js';
import { Outcomes, type Outcome } from './outcomes.js';
import { breakerError, describe, fatalError, rowError } from './failure-text.js';
import type { RunProgress } from './progress.js';
import { decide } from './retry.js';
import { callProvider } from './call.js';
import type { Clock, Lane, RunnerOptions, RunResult, StopReason, WorkItem } from './work.js';

export type { Clock, Lane, RunnerOptions, RunResult, StopReason, WorkItem } from './work.js';

const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms, signal) => sleep(ms, undefined, { signal }) };

/** Pairs admitted at most, counting those waiting out a backoff (bounds memory). */
export const MAX_OUTSTANDING = 4096;
/** Image bytes (as base64) held by admitted pairs at most, before reading pauses (bounds memory with large images). */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;
/** Prompts remembered for in-run deduplication; past this the oldest are forgotten. */
export const MEMO_LIMIT = 10_000;

/** What became of one prompt: an answer, a final error, or nothing (the run stopped first). */
type Sent = Outcome | undefined;

/**
 * The scheduler: sends each (row, variant) to its variant's provider under its endpoint's
 * adaptive concurrency cap, with retries and backoff outside the cap (a pair waiting out a 429
 * holds no slot and does not count toward the pairs kept ready), optional pacing, a budget
 * over all variants, cache and in-run deduplication, and cancellation. Every outcome goes to
 * `record` as it arrives; pairs in flight when the run stops are left without an outcome.
 */
export class Runner {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly controller = new AbortController();
  private readonly clock: Clock;
  /** Each prompt sent in this run (by key) and its outcome; a twin waits on it instead of paying again. */
  private readonly memo = new Map<string, Promise<Sent>>();
  private wakeUp?: () => void;
  /** Pairs admitted (queued at an endpoint or started) and not finished: bounded by MAX_OUTSTANDING. */
  private outstanding = 0;
  /** Image bytes (base64) those pairs hold: bounded by MAX_IMAGE_BYTES. */
  private imageBytes = 0;
  /** Of those, pairs started and not finished. */
  private inProgress = 0;
  private readonly tasks = new Set<Promise<void>>();
  /** Estimated cost of the pairs admitted and not finished, held against the budget. */
  private reserved = 0;
  private readonly outcomes: Outcomes;
  private stop?: StopReason;
  private fatal?: ProviderError;

  constructor(
    private readonly options: RunnerOptions,
    private readonly progress: RunProgress,
    record: (answer: Answer) => void,
  ) {
    this.clock = options.clock ?? REAL_CLOCK;
    const { concurrency, rpm, tpm } = options.settings;
    for (const lane of options.lanes) {
      if (!this.endpoints.has(lane.endpoint)) {
        this.endpoints.set(lane.endpoint, new Endpoint(lane.endpointLabel, { concurrency, rpm: rpm ?? undefined, tpm: tpm ?? undefined }, this.clock.now));
      }
    }
    this.outcomes = new Outcomes(options.lanes, progress, record, () => this.clock.now(), options.maxAnswerBytes);
    this.updateConcurrency();
    // Every pair sleeping before a retry listens for a cancel; there may be hundreds.
    setMaxListeners(0, this.controller.signal);
  }

  /** Stops scheduling and aborts requests in flight; their pairs stay without an outcome. */
  cancel(reason: StopReason = 'cancelled'): void {
    this.stop ??= reason;
    this.controller.abort();
    this.wake();
  }

  /** The concurrency limit now in force at each endpoint, by endpoint key. */
  limits(): Map<string, number> {
    return new Map([...this.endpoints].map(([key, endpoint]) => [key, endpoint.limit.current]));
  }

  /**
   * Reads the work items and runs them. Each endpoint has a backlog: a pair whose endpoint has
   * no room waits there while the source is read on for the others, so a slow or rate-limited
   * endpoint never idles another. Reading pauses when no endpoint wants more, or when
   * `MAX_OUTSTANDING` pairs are admitted (memory).
   */
  async run(items: AsyncIterable<WorkItem[]>): Promise<RunResult> {
    try {
      outer: for await (const batch of items) {
        for (const item of batch) {
          if (this.stop) break outer;
          this.admit(item);
          this.pump();
          while (!this.stop && this.saturated()) await this.nextWake();
        }
      }
      // Everything is read; let the backlogs drain.
      while (!this.stop && [...this.endpoints.values()].some((e) => e.backlog.length > 0)) await this.nextWake();
    } finally {
      await Promise.allSettled(this.tasks);
      // The remembered outcomes are only for twins within this run; free them before the output is written.
      this.memo.clear();
    }
    if (this.fatal) return { stop: 'fatal', error: this.fatal };
    return { stop: this.stop ?? 'completed' };
  }

  /** Answers a pair from the cache, or starts it as the twin of a prompt in flight, or queues it at its endpoint. */
  private admit(item: WorkItem): void {
    const lane = this.options.lanes[item.variant];
    if (item.error !== undefined) {
      this.outcomes.finishFailed(item, { failure: { kind: 'bad-input', message: item.error }, message: item.error, attempts: 0, latencyMs: 0 });
      return;
    }
    if (lane.embedding && !item.batch) {
      // Embedding APIs refuse empty text (a 400 that would fail the whole batch): fail the row unsent.
      const message = 'the input is empty; embedding endpoints refuse empty text, so it was not sent';
      this.outcomes.finishFailed(item, { failure: { kind: 'bad-request', message }, message, attempts: 0, latencyMs: 0 });
      return;
    }
    const endpoint = this.endpoints.get(lane.endpoint)!;
    const key = lane.scope === undefined ? undefined : cacheKey(lane.scope, item.prompt);
    // A prompt already sent in this run is a twin (a repeated prompt), whether its answer is back
    // or not; the cache answers only what earlier runs paid for.
    const twin = key !== undefined ? this.memo.get(key) : undefined;
    const hit = !twin && key !== undefined && lane.cache ? this.options.cache?.get(key) : undefined;
    if (hit) { this.outcomes.finish(item, { completion: hit, attempts: 0, latencyMs: 0 }, 'cached'); return; }
    this.outstanding += 1;
    this.imageBytes += imageBytesOf(item);
    // A twin costs nothing and takes no slot: it waits on its leader.
    if (twin) this.start(item, endpoint, key, twin, 0);
    else endpoint.backlog.push({ item, key });
  }

  /**
   * Starts queued pairs while their endpoint has room and the budget can cover each with
   * everything already running; when nothing runs and the next pair would still pass the
   * budget, the run stops there.
   */
  private pump(): void {
    for (const endpoint of this.endpoints.values()) {
      while (!this.stop && endpoint.backlog.length > 0 && endpoint.hasRoom()) {
        const { item, key } = endpoint.backlog[0];
        // An identical prompt may have gone out since this one was queued.
        const twin = key !== undefined ? this.memo.get(key) : undefined;
        const estimate = twin ? 0 : this.outcomes.estimate(item);
        if (!twin && this.overBudget(estimate)) {
          if (this.inProgress === 0) { this.stop = 'budget'; this.wake(); }
          break;
        }
        endpoint.backlog.shift();
        this.start(item, endpoint, key, twin, estimate);
      }
    }
  }

  private start(item: WorkItem, endpoint: Endpoint, key: string | undefined, twin: Promise<Sent> | undefined, estimate: number): void {
    this.inProgress += 1;
    endpoint.running += 1;
    this.reserved += estimate;
    const task = this.process(item, endpoint, key, twin).finally(() => {
      this.inProgress -= 1;
      this.outstanding -= 1;
      this.imageBytes -= imageBytesOf(item);
      endpoint.running -= 1;
      this.reserved -= estimate;
      this.tasks.delete(task);
      this.pump();
      this.wake();
    });
    this.tasks.add(task);
  }

  /** No endpoint wants more of the source, or enough pairs are held in memory. */
  private saturated(): boolean {
    if (this.outstanding >= MAX_OUTSTANDING || this.imageBytes >= (this.options.maxImageBytes ?? MAX_IMAGE_BYTES)) return true;
    for (const endpoint of this.endpoints.values()) if (endpoint.wantsMore()) return false;
    return true;
  }

  private nextWake(): Promise<void> {
    return new Promise((resolve) => { this.wakeUp = resolve; });
  }

  private wake(): void {
    const resolve = this.wakeUp;
    this.wakeUp = undefined;
    resolve?.();
  }

  /** Would one more request pass the budget, counting every admitted pair at its estimate? */
  private overBudget(estimate: number): boolean {
    const maxCost = this.options.settings.max_cost;
    if (maxCost === null) return false;
    return this.progress.cost + this.reserved + estimate > maxCost;
  }

  private async process(item: WorkItem, endpoint: Endpoint, key: string | undefined, twin: Promise<Sent> | undefined): Promise<void> {
    let outcome = twin ? await twin : undefined;
    const shared = outcome !== undefined;
    if (!outcome) {
      if (this.controller.signal.aborted) return;
      const sending = this.send(item, endpoint);
      if (key !== undefined) this.remember(key, sending);
      outcome = await sending;
    }
    if (!outcome) return;
    if (item.batch) { this.outcomes.finishBatch(item, item.batch, outcome); return; }
    if ('failure' in outcome) { this.outcomes.finishFailed(item, outcome); return; }
    const lane = this.options.lanes[item.variant];
    const checked = lane.check?.(outcome.completion.text);
    // An answer that fails its check is not cached: asked again, the model may get it right.
    if (!shared && key !== undefined && lane.cache && checked?.ok !== false) this.options.cache?.put(key, outcome.completion);
    this.outcomes.finish(item, shared ? { ...outcome, attempts: 0, latencyMs: 0 } : outcome, shared ? 'cached' : 'answered', checked, shared);
  }

  private remember(key: string, outcome: Promise<Sent>): void {
    this.memo.set(key, outcome);
    if (this.memo.size > MEMO_LIMIT) this.memo.delete(this.memo.keys().next().value!);
  }

  /** Tries one prompt until it is answered, fails for good, or the run stops (undefined). */
  private async send(item: WorkItem, endpoint: Endpoint): Promise<Sent> {
    const signal = this.controller.signal;
    const lane = this.options.lanes[item.variant];
    const request = { ...lane.request, prompt: item.prompt, row: item.row, ...(item.parts ? { parts: item.parts } : {}) };
    // What the pacer counts against --tpm; only worked out when there is one.
    const tokens = !endpoint.pacer.enabled ? 0 : item.batch
      ? item.batch.reduce((sum, b) => sum + estimateTokens(b.prompt), 0)
      : estimateTokens((request.system ?? '') + item.prompt) + (request.maxTokens ?? 0);
    const attempts = { rateLimited: 0, failed: 0 };
    const started = this.clock.now();
    const { max_retries: maxRetries, max_retry_wait_seconds: maxWait, timeout_seconds: timeout } = this.options.settings;
    for (;;) {
      if (signal.aborted) return undefined;
      try {
        const completion = await endpoint.limit.run(async () => {
          if (endpoint.pacer.enabled) await endpoint.pacer.take(tokens, signal);
          return callProvider(lane.provider, request, item.batch && { inputs: item.batch.map((b) => b.prompt), dimensions: lane.embedding?.dimensions }, this.controller.signal, this.progress, timeout * 1000);
        });
        if (!completion) return undefined;
        endpoint.onSuccess();
        this.updateConcurrency();
        return { completion, attempts: attempts.rateLimited + attempts.failed + 1, latencyMs: this.clock.now() - started };
      } catch (error) {
        if (signal.aborted) return undefined;
        const failure = lane.provider.classify(error);
        if (failure.kind === 'aborted') return undefined;
        const decision = endpoint.judge(failure, attempts.failed, decide(failure, attempts, { maxRetries, maxWaitMs: maxWait * 1000 }));
        const sent = attempts.rateLimited + attempts.failed + 1;
        if (decision.action === 'stop-run') {
          this.failRun('breaker' in decision
            ? breakerError(failure, endpoint.label, endpoint.failing())
            : fatalError(failure, lane.provider, endpoint.label, timeout * 1000));
          return undefined;
        }
        if (decision.action === 'fail-row') {
          return { failure, message: rowError(failure, sent, timeout * 1000), attempts: sent, latencyMs: this.clock.now() - started };
        }
        if (failure.kind === 'rate-limit') { attempts.rateLimited += 1; endpoint.onRateLimit(); } else attempts.failed += 1;
        this.updateConcurrency();
        this.progress.backoff = { reason: describe(failure), until: this.clock.now() + decision.delayMs };
        // A pair sleeping before a retry holds no slot and makes room for another.
        endpoint.sleeping += 1;
        this.pump();
        this.wake();
        try {
          await this.clock.sleep(decision.delayMs, signal);
        } catch {
          return undefined;
        } finally {
          endpoint.sleeping -= 1;
        }
      }
    }
  }

  private failRun(error: ProviderError): void {
    this.fatal ??= error;
    this.cancel('fatal');
  }

  /** The sum of the endpoints' current limits, for the progress display. */
  private updateConcurrency(): void {
    let total = 0;
    for (const endpoint of this.endpoints.values()) total += endpoint.limit.current;
    this.progress.concurrency = total;
  }
}

/** The base64 image data a pair carries (0 for text and image URLs). */
function imageBytesOf(item: WorkItem): number {
  let bytes = 0;
  for (const part of item.parts ?? []) if (typeof part !== 'string' && 'data' in part) bytes += part.data.length;
  return bytes;
}
