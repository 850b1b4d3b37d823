import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRICES } from '../../src/core/pricing.js';
import type { StubOptions } from '../stub/server.js';
import { expectAnswered, WIRE_MODEL, type Wire } from '../helpers/create.js';
import { benchFactory, errorLines } from '../helpers/faults.js';
import { readTable } from '../helpers/table.js';

// Faults end to end (issue 4): the real CLI and SDKs against a stub that rate-limits, errors,
// drops connections or refuses. Rows are checked cell by cell, and the stub's books say how many
// requests were made and that no answer was paid for twice (it counts an answer as paid only
// once it was actually handed to the socket). Retries row by row: retries.test.ts.

const benches = benchFactory();
afterAll(benches.close);

describe.each(['openai', 'anthropic'] as Wire[])('done when, over the %s wire', (wire) => {
  it('2,000 rows through 20% 429s (retry-after 1), 5% 500s and 2% dropped connections: every row answered, none paid twice; the same command again makes no request', async () => {
    const { stub, root, run, prompts } = await benches.make(2000, { rate429: 0.2, retryAfterSeconds: 1, rate500: 0.05, rateDrop: 0.02, seed: wire === 'openai' ? 11 : 12 });
    const first = join(root, 'first.csv');
    const result = await run(['-o', first], { wire });
    const table = await readTable(first);
    // Each cell, in row order; paid === 2000, duplicates === 0, every prompt paid exactly once.
    expectAnswered(result, table.rows, prompts, { stub, output: first, target: 'answer', price: PRICES[WIRE_MODEL[wire]] });
    expect(table.rows.map((row) => row.id)).toEqual(prompts.map((_, i) => String(i)));
    expect(result.stderr).not.toContain('Warning'); // e.g. MaxListenersExceededWarning
    const stats = stub.stats({ prompts: false });
    // The faults really happened, and each one was retried.
    expect(stats.byStatus['429']).toBeGreaterThan(300);
    expect(stats.byStatus['500']).toBeGreaterThan(50);
    expect(stats.dropped).toBeGreaterThan(10);
    expect(stats.requests).toBe(2000 + stats.byStatus['429'] + stats.byStatus['500'] + stats.dropped);

    stub.reset();
    const second = join(root, 'second.csv');
    const again = await run(['-o', second], { wire });
    expect(again.code, again.stderr).toBe(0);
    expect(stub.stats().requests).toBe(0);
    expect(again.stderr).toContain('rows       2,000 done, 0 failed, 2,000 from the cache (of 2,000)');
    expect(again.stderr).toContain('cost       $0.00');
    // The same answers, each now marked as served from the cache.
    const [one, two] = await Promise.all([readTable(first), readTable(second)]);
    expect(two.rows.map((r) => r.answer ?? r.prediction)).toEqual(one.rows.map((r) => r.answer ?? r.prediction));
    expect(new Set(two.rows.map((r) => r.prediction_status ?? r.answer_status))).toEqual(new Set(['cached']));
  }, 120_000);
});

describe('requests that can never work stop the run early with one clear line', () => {
  it.each<[string, StubOptions, RegExp]>([
    ['a wrong key (401)', { requireKey: 'sk-the-right-one' }, /refused the API key: OpenAI 401/],
    ['a forbidden key (403)', { status: 403 }, /refused the API key: OpenAI 403/],
    ['an unknown model (404)', { status: 404 }, /has no model "gpt-4o-mini" or no such endpoint: OpenAI 404/],
    ['a 400 on the first rows', { status: 400 }, /rejected the first requests/],
  ])('%s', async (_, options, message) => {
    const { stub, root, run } = await benches.make(50, options);
    const result = await run(['-o', join(root, 'out.csv')]);
    expect(result.code, result.stderr).toBe(1);
    const errors = errorLines(result.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stderr).not.toContain('sk-test');
    expect(result.stdout).toBe('');
    // The first wave of -c 8, plus a row or two let in as the first rejected rows finished.
    expect(stub.stats().requests).toBeLessThanOrEqual(10);
    expect(stub.stats().paid).toBe(0);
  });

  it('an unreachable server (connection refused)', async () => {
    const { stub, run } = await benches.make(20);
    await stub.close();
    const result = await run([]);
    expect(result.code).toBe(1);
    const errors = errorLines(result.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0].startsWith(`evalctl: Cannot reach OpenAI-compatible server at ${stub.openaiBaseURL}: connection to OpenAI failed`)).toBe(true);
  });

  it('a server that never answers, after two timeouts of the first rows', async () => {
    const { stub, run } = await benches.make(20, { hang: true });
    const result = await run(['--timeout', '1', '-c', '2']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)).toEqual([`evalctl: OpenAI-compatible server at ${stub.openaiBaseURL} did not answer the first requests within --timeout 1s.`]);
    expect(stub.stats().requests).toBeLessThanOrEqual(4);
  });
});
