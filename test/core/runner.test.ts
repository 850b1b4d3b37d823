import { describe, expect, it } from 'vitest';
import type { Answer } from '../../src/core/answers.js';
import { LatencySample } from '../../src/core/run/latency.js';
import type { RunProgress } from '../../src/core/run/progress.js';
import { MEMO_LIMIT, Runner, type Clock, type Lane, type WorkItem } from '../../src/core/run/runner.js';
import type { CallOptions, Completion, CompletionRequest, Failure, Provider } from '../../src/core/providers/types.js';
import type { RunSettings } from '../../src/core/spec.js';

// The scheduler through a real in-memory Provider: each prompt has a script of outcomes, one per
// attempt, and time is a virtual clock (backoffs take no real time). Nothing of evalctl is mocked.

type Step = 'ok' | 'hang' | { status: number; retryAfterMs?: number };

class ScriptedError extends Error {
  constructor(readonly status: number, readonly retryAfterMs?: number) { super(`HTTP ${status}`); }
}

/** A provider that follows a script per prompt (default: answer at once) and counts what it was sent. */
class ScriptedProvider implements Provider {
  readonly id = 'openai' as const;
  readonly model = 'scripted';
  readonly calls = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;
  onCall?: (prompt: string) => void;

  constructor(private readonly script: (prompt: string, attempt: number) => Step = () => 'ok') {}

  async complete(request: CompletionRequest, options: CallOptions): Promise<Completion> {
    const attempt = this.calls.get(request.prompt) ?? 0;
    this.calls.set(request.prompt, attempt + 1);
    this.onCall?.(request.prompt);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // One macrotask per request, so requests overlap as they would on a network.
      await new Promise((resolve) => setImmediate(resolve));
      const step = this.script(request.prompt, attempt);
      if (step === 'hang') {
        await new Promise((_, reject) => options.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      }
      if (typeof step === 'object') throw new ScriptedError(step.status, step.retryAfterMs);
      return { text: `A:${request.prompt}`, promptTokens: 10, completionTokens: 5 };
    } finally {
      this.inFlight -= 1;
    }
  }

  classify(error: unknown): Failure {
    if (!(error instanceof ScriptedError)) return { kind: 'aborted', message: String(error) };
    const kind = error.status === 429 ? 'rate-limit' : error.status >= 500 ? 'server' : error.status === 401 ? 'auth' : 'bad-request';
    return { kind, status: error.status, retryAfterMs: error.retryAfterMs, message: error.message };
  }

  paid(): number {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }
}

/** Virtual time: a sleep resolves on the next turn, the clock moved on to its wake-up time (sleepers overlap, as in real time). */
function virtualClock(): Clock & { slept: number } {
  const clock = {
    time: 1_000_000,
    slept: 0,
    now: () => clock.time,
    sleep: (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
      if (signal.aborted) { reject(new Error('aborted')); return; }
      const wake = clock.time + ms;
      clock.slept += ms;
      setImmediate(() => { clock.time = Math.max(clock.time, wake); resolve(); });
    }),
  };
  return clock;
}

const SETTINGS: RunSettings = { concurrency: 4, timeout_seconds: 10, max_retries: 3, max_retry_wait_seconds: 5, rpm: null, tpm: null, max_cost: null };

function lane(provider: Provider, options: Partial<Lane> = {}): Lane {
  return { provider, request: {}, cache: false, endpoint: 'a', endpointLabel: 'the stub', ...options };
}

function progressFor(variants: number): RunProgress {
  const zero = () => ({ processed: 0, failed: 0, cached: 0, promptTokens: 0, completionTokens: 0, cost: 0, latency: new LatencySample() });
  return { processed: 0, total: 0, failed: 0, cached: 0, promptTokens: 0, completionTokens: 0, cost: 0, inFlight: 0, concurrency: 0, variants: Array.from({ length: variants }, zero) };
}

async function* itemsOf(items: WorkItem[], pulled?: { count: number }): AsyncGenerator<WorkItem[]> {
  for (let i = 0; i < items.length; i += 8) {
    const batch = items.slice(i, i + 8);
    if (pulled) pulled.count += batch.length;
    yield batch;
  }
}

function rows(n: number, variant = 0, prompt = (i: number) => `p${i}`): WorkItem[] {
  return Array.from({ length: n }, (_, row) => ({ row, variant, prompt: prompt(row) }));
}

async function run(lanes: Lane[], items: WorkItem[], settings: Partial<RunSettings> = {}, clock: Clock = virtualClock()) {
  const answers: Answer[] = [];
  const progress = progressFor(lanes.length);
  const runner = new Runner({ lanes, settings: { ...SETTINGS, ...settings }, clock }, progress, (a) => answers.push(a));
  const result = await runner.run(itemsOf(items));
  return { result, answers, progress, runner };
}

describe('Runner', () => {
  it('answers every (row, variant) once, each on its own lane', async () => {
    const a = new ScriptedProvider();
    const b = new ScriptedProvider();
    const items = [...rows(20, 0), ...rows(20, 1, (i) => `q${i}`)];
    const { result, answers, progress } = await run([lane(a), lane(b, { endpoint: 'b' })], items);
    expect(result.stop).toBe('completed');
    expect(answers).toHaveLength(40);
    expect(a.paid()).toBe(20);
    expect(b.paid()).toBe(20);
    expect(new Set(answers.map((x) => `${x.row}/${x.variant}`)).size).toBe(40);
    expect(answers.every((x) => x.status === 'answered' && x.attempts === 1 && x.error_kind === null)).toBe(true);
    expect(progress.variants.map((v) => v.processed)).toEqual([20, 20]);
    expect(progress.variants[1].promptTokens).toBe(200);
  });

  it('budget admission: stops before the spend would pass --max-cost, counting requests in flight', async () => {
    const provider = new ScriptedProvider();
    // $1 a prompt token: 10 tokens (a 40-character prompt), $10 a request.
    const { result, progress } = await run([lane(provider, { price: { input: 1_000_000, output: 0 } })], rows(50, 0, (i) => `p${i}`.padEnd(40, '.')), { max_cost: 35, concurrency: 8 });
    expect(result.stop).toBe('budget');
    expect(progress.cost).toBeLessThanOrEqual(35);
    expect(provider.paid()).toBe(3);
  });

  it('a twin waits on its leader, and shares its failure without paying', async () => {
    const provider = new ScriptedProvider((prompt) => (prompt === 'same' ? { status: 400 } : 'ok'));
    const items = [{ row: 0, variant: 0, prompt: 'same' }, { row: 1, variant: 0, prompt: 'same' }, { row: 2, variant: 0, prompt: 'other' }];
    const { answers } = await run([lane(provider, { scope: 's' })], items);
    expect(provider.calls.get('same')).toBe(1);
    expect(answers.filter((a) => a.status === 'failed').map((a) => a.row).sort()).toEqual([0, 1]);
    expect(answers.find((a) => a.row === 1)!.error_kind).toBe('bad-request');
  });

  it('twins of an answered prompt are reported as cached, at no cost', async () => {
    const provider = new ScriptedProvider();
    const { answers, progress } = await run([lane(provider, { scope: 's', price: { input: 1, output: 1 } })], rows(10, 0, () => 'same'));
    expect(provider.paid()).toBe(1);
    expect(answers.filter((a) => a.status === 'cached')).toHaveLength(9);
    expect(progress.cached).toBe(9);
    // Repeats within the run are told apart from cache hits (answers paid for by earlier runs).
    expect(answers.filter((a) => a.deduplicated)).toHaveLength(9);
    expect(progress.deduplicated).toBe(9);
  });

  it('the same prompt on two variants is two requests (scopes differ)', async () => {
    const a = new ScriptedProvider();
    const { answers } = await run([lane(a, { scope: 'x' }), lane(a, { scope: 'y' })], [...rows(5, 0, () => 'same'), ...rows(5, 1, () => 'same')]);
    expect(a.calls.get('same')).toBe(2);
    expect(answers.filter((x) => x.status === 'answered')).toHaveLength(2);
  });

  it(`memo eviction: past ${MEMO_LIMIT} prompts the oldest is forgotten and sent again`, async () => {
    const provider = new ScriptedProvider();
    const items = [...rows(MEMO_LIMIT + 1), { row: MEMO_LIMIT + 1, variant: 0, prompt: 'p0' }];
    await run([lane(provider, { scope: 's' })], items, { concurrency: 64 });
    expect(provider.calls.get('p0')).toBe(2);
    expect(provider.calls.get('p1')).toBe(1);
  });

  it.each([
    ['three rejected first requests stop the run', 10, 'fatal'],
    ['two rows both rejected are row failures, not a stop', 2, 'completed'],
  ])('early stop: %s', async (_, count, stop) => {
    const provider = new ScriptedProvider(() => ({ status: 400 }));
    const { result, answers } = await run([lane(provider)], rows(count), { concurrency: 1 });
    expect(result.stop).toBe(stop);
    if (stop === 'fatal') expect(result.error?.message).toMatch(/rejected the first requests/);
    else expect(answers.map((a) => a.status)).toEqual(['failed', 'failed']);
  });

  it('a revoked key (401) after some answers stops the run; the answers stay recorded', async () => {
    let answered = 0;
    const provider = new ScriptedProvider(() => (answered++ < 12 ? 'ok' : { status: 401 }));
    const { result, answers } = await run([lane(provider)], rows(100), { concurrency: 2 });
    expect(result.stop).toBe('fatal');
    expect(result.error?.message).toMatch(/refused the API key/);
    expect(answers.filter((a) => a.status === 'answered').length).toBeGreaterThanOrEqual(10);
    expect(answers.every((a) => a.status === 'answered')).toBe(true);
  });

  it('the outstanding-rows bound: the source is read no further ahead than twice the concurrency', async () => {
    const provider = new ScriptedProvider();
    const pulled = { count: 0 };
    let finished = 0;
    let maxAhead = 0;
    const progress = progressFor(1);
    const runner = new Runner({ lanes: [lane(provider)], settings: { ...SETTINGS, concurrency: 4 }, clock: virtualClock() }, progress, () => {
      finished += 1;
      maxAhead = Math.max(maxAhead, pulled.count - finished);
    });
    await runner.run(itemsOf(rows(500), pulled));
    expect(finished).toBe(500);
    expect(provider.maxInFlight).toBeLessThanOrEqual(4);
    // Ready pairs at most max(2 x 4, 16), plus one batch read ahead.
    expect(maxAhead).toBeLessThanOrEqual(16 + 8);
  });

  it('a row with a bad input fails as bad-input, unsent; image parts reach the provider', async () => {
    const provider = new ScriptedProvider();
    const sent: unknown[] = [];
    const complete = provider.complete.bind(provider);
    provider.complete = (request, options) => { sent.push(request.parts); return complete(request, options); };
    const parts = ['Describe ', { type: 'image' as const, mediaType: 'image/png' as const, data: 'iVBO' }];
    const { answers } = await run([lane(provider)], [
      { row: 0, variant: 0, prompt: 'Describe [image h]', parts },
      { row: 1, variant: 0, prompt: 'Describe ', error: 'the image file /x/gone.png does not exist' },
    ]);
    expect(sent).toEqual([parts]);
    const byRow = [...answers].sort((a, b) => a.row - b.row);
    expect(byRow.map(({ row, status, error, error_kind, attempts, cost }) => ({ row, status, error, error_kind, attempts, cost }))).toEqual([
      { row: 0, status: 'answered', error: null, error_kind: null, attempts: 1, cost: 0 },
      { row: 1, status: 'failed', error: 'the image file /x/gone.png does not exist', error_kind: 'bad-input', attempts: 0, cost: 0 },
    ]);
  });

  it('the image-bytes bound: pairs holding images are admitted only while their bytes are under maxImageBytes', async () => {
    const provider = new ScriptedProvider();
    const image = { type: 'image' as const, mediaType: 'image/png' as const, data: 'x'.repeat(100) };
    const items = rows(40).map((item) => ({ ...item, parts: [item.prompt, image] }));
    let finished = 0;
    const runner = new Runner({ lanes: [lane(provider)], settings: { ...SETTINGS, concurrency: 8 }, clock: virtualClock(), maxImageBytes: 250 }, progressFor(1), () => { finished += 1; });
    await runner.run(itemsOf(items));
    expect(finished).toBe(40);
    // Three pairs (300 bytes) reach the bound, though the endpoint would take eight.
    expect(provider.maxInFlight).toBe(3);
  });

  it('cancel during a backoff ends the run at once, the row left without an outcome', async () => {
    const provider = new ScriptedProvider(() => ({ status: 429, retryAfterMs: 60_000 }));
    const progress = progressFor(1);
    const answers: Answer[] = [];
    const runner = new Runner({ lanes: [lane(provider)], settings: { ...SETTINGS, max_retry_wait_seconds: 60 } }, progress, (a) => answers.push(a));
    provider.onCall = () => setTimeout(() => runner.cancel(), 50);
    const started = performance.now();
    const result = await runner.run(itemsOf(rows(1)));
    expect(result.stop).toBe('cancelled');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(answers).toEqual([]);
  });

  it('two endpoints keep separate limits: a 429 storm at one does not slow the other', async () => {
    const storm = new ScriptedProvider((_, attempt) => (attempt < 2 ? { status: 429 } : 'ok'));
    const calm = new ScriptedProvider();
    const items: WorkItem[] = [];
    for (let row = 0; row < 200; row++) items.push({ row, variant: 0, prompt: `s${row}` }, { row, variant: 1, prompt: `c${row}` });
    const { result, runner, answers } = await run([lane(storm, { endpoint: 'storm' }), lane(calm, { endpoint: 'calm' })], items, { concurrency: 8, max_retries: 2 });
    expect(result.stop).toBe('completed');
    expect(answers).toHaveLength(400);
    expect(runner.limits().get('calm')).toBe(8);
    expect(runner.limits().get('storm')).toBeLessThan(8);
    expect(calm.maxInFlight).toBe(8);
  });

  it('the breaker: a server answering 500 to everything stops the run after a bounded number of requests', async () => {
    const provider = new ScriptedProvider(() => ({ status: 500 }));
    const clock = virtualClock();
    const { result } = await run([lane(provider)], rows(300), { concurrency: 8, max_retries: 6 }, clock);
    expect(result.stop).toBe('fatal');
    expect(result.error?.message).toMatch(/failed \d+ requests in a row over \d+s/);
    expect(provider.paid()).toBeLessThan(100);
  });

  it('transient 5xx on the way are retried, not a breaker trip', async () => {
    const provider = new ScriptedProvider((_, attempt) => (attempt < 3 ? { status: 503 } : 'ok'));
    const { result, answers } = await run([lane(provider)], rows(64), { concurrency: 16, max_retries: 4 });
    expect(result.stop).toBe('completed');
    expect(answers.every((a) => a.status === 'answered' && a.attempts === 4)).toBe(true);
  });
});
