import { AdaptiveLimit } from './concurrency.js';
import { Pacer } from './pacing.js';
import type { Failure } from '../providers/types.js';
import type { Decision } from './retry.js';
import type { WorkItem } from './work.js';

/** How many leading requests may all be rejected (400) before the run stops as misconfigured. */
const EARLY_BAD_REQUESTS = 3;
/** Failed attempts in a row (5xx, dropped, timed out), with no answer between, that trip the breaker... */
const BREAKER_FAILURES = 16;
/** ...once they have gone on this long without an answer. */
const BREAKER_MS = 10_000;

/**
 * One endpoint (provider and base URL) as the scheduler sees it: its own adaptive concurrency
 * limit and pacing, so a 429 storm at one provider does not slow another, and its own health:
 * the early stop for a setup that cannot work, and a breaker for a server that has stopped
 * working.
 */
export class Endpoint {
  readonly limit: AdaptiveLimit;
  readonly pacer: Pacer;
  /** Answers received from this endpoint in this run. */
  succeeded = 0;
  /** Pairs read from the source for this endpoint and waiting for room (see `hasRoom`). */
  readonly backlog: { item: WorkItem; key: string | undefined }[] = [];
  /** Pairs started (sent, retrying, or waiting on a twin) and not finished. */
  running = 0;
  /** Of those, pairs sleeping before a retry. */
  sleeping = 0;
  private badRequests = 0;
  private failuresInRow = 0;
  private failingSince?: number;

  constructor(
    readonly label: string,
    limits: { concurrency: number; rpm?: number; tpm?: number },
    private readonly now: () => number,
  ) {
    this.limit = new AdaptiveLimit(limits.concurrency);
    this.pacer = new Pacer(limits);
  }

  /**
   * Whether another pair may start: twice the concurrency cap ready (sent or queued for a slot,
   * not counting those sleeping before a retry), so the cap never waits for the source. Until
   * the endpoint's first answer only one wave goes out, so a setup that cannot work (bad key,
   * dead server) stops after a few requests.
   */
  hasRoom(): boolean {
    if (this.succeeded === 0) return this.running < this.limit.max;
    return this.running - this.sleeping < Math.max(this.limit.max * 2, 16);
  }

  /** Room and nothing waiting: reading more of the source would help this endpoint. */
  wantsMore(): boolean {
    return this.backlog.length === 0 && this.hasRoom();
  }

  onSuccess(): void {
    this.succeeded += 1;
    this.failuresInRow = 0;
    this.failingSince = undefined;
    this.limit.onSuccess();
  }

  onRateLimit(): void {
    this.limit.onRateLimit(this.now());
  }

  /**
   * Turns a retry decision into a stop of the run when the endpoint shows it cannot work:
   * before anything has succeeded, a server that cannot be reached or does not answer within
   * --timeout twice for a row, or rejects (or answers with nothing usable) the first few
   * requests, whatever the job's size;
   * at any time, many failed attempts in a row over several seconds with no answer between.
   */
  judge(failure: Failure, failedBefore: number, decision: Decision): Decision | { action: 'stop-run'; breaker: true } {
    if (decision.action === 'stop-run') return decision;
    const stop = { action: 'stop-run' } as const;
    if (failure.kind === 'server' || failure.kind === 'connection' || failure.kind === 'timeout') {
      this.failuresInRow += 1;
      this.failingSince ??= this.now();
      if (this.failuresInRow >= BREAKER_FAILURES && this.now() - this.failingSince >= BREAKER_MS) return { action: 'stop-run', breaker: true };
    }
    if (this.succeeded > 0) return decision;
    if ((failure.kind === 'connection' || failure.kind === 'timeout') && (failedBefore >= 1 || decision.action === 'fail-row')) return stop;
    if ((failure.kind === 'bad-request' || failure.kind === 'bad-response') && ++this.badRequests >= EARLY_BAD_REQUESTS) return stop;
    return decision;
  }

  /** For the breaker's message: failed attempts in a row and for how long. */
  failing(): { attempts: number; seconds: number } {
    return { attempts: this.failuresInRow, seconds: this.failingSince === undefined ? 0 : (this.now() - this.failingSince) / 1000 };
  }
}
