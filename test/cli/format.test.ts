// The display rules every command shares: one spelling of numbers, statuses and the resume hint.
import { describe, expect, it } from 'vitest';
import { colorFor, fitWidth } from '../../src/cli/render.js';
import { formatCount, jobStatusText, suggestedBudget } from '../../src/cli/format.js';
import type { JobRecord } from '../../src/core/jobs.js';

const job = (fields: { status: JobRecord['status']; failed_rows?: number; stop_reason?: JobRecord['stop_reason'] }) =>
  ({ failed_rows: 0, stop_reason: null, ...fields });

describe('jobStatusText', () => {
  it.each([
    [job({ status: 'completed' }), 'completed', 'green'],
    [job({ status: 'completed', failed_rows: 3 }), 'completed with 3 failed', 'yellow'],
    [job({ status: 'completed', failed_rows: 12345 }), 'completed with 12,345 failed', 'yellow'],
    [job({ status: 'cancelled', stop_reason: 'budget' }), 'cancelled (budget)', 'yellow'],
    [job({ status: 'cancelled', stop_reason: 'cancelled' }), 'cancelled', 'yellow'],
    [job({ status: 'errored', stop_reason: 'crashed' }), 'errored (crashed)', 'red'],
    [job({ status: 'errored', stop_reason: 'error' }), 'errored', 'red'],
    [job({ status: 'running' }), 'running', 'yellow'],
  ])('%o -> %s', (record, text, style) => {
    expect(jobStatusText(record)).toEqual({ text, style });
  });
});

describe('suggestedBudget', () => {
  const stopped = (spent: number, processed: number, total: number, maxCost: number) =>
    ({ cost_usd: spent, progress: { processed, total }, settings: { max_cost: maxCost } }) as unknown as JobRecord;
  it.each([
    // spent, processed, total, old budget -> suggestion (projected x 1.2, two significant figures, rounded up)
    [0.0005, 115, 300, 0.0005, '0.0016'],
    [4.9, 100, 1000, 5, '59'],
    [0.98, 50, 100, 1, '2.4'],
    [123, 10, 20, 125, '300'],
    // nothing spent yet (all cached, or no price): twice the old budget
    [0, 0, 100, 2, '4'],
    // nearly done: at least a tenth above the old budget
    [0.99, 99, 100, 1, '1.2'],
  ])('spent %d on %d of %d under %d -> %s', (spent, processed, total, maxCost, expected) => {
    expect(suggestedBudget(stopped(spent, processed, total, maxCost))).toBe(expected);
  });
});

describe('colorFor', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [true, { NO_COLOR: '1', FORCE_COLOR: '3' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { FORCE_COLOR: 'false' }, false],
  ])('a stream with isTTY %s and %o -> %s', (isTTY, env, expected) => {
    expect(colorFor({ isTTY }, env)).toBe(expected);
  });
});

describe('fitWidth and formatCount', () => {
  it.each([
    [{ isTTY: true, columns: 10 }, 'abcdefghijklmnop', 'abcdefghi…'],
    [{ isTTY: true, columns: 20 }, 'short', 'short'],
    [{ isTTY: false, columns: 10 }, 'abcdefghijklmnop', 'abcdefghijklmnop'],
    [{ isTTY: true, columns: 6 }, '\u001b[1mabcdefgh\u001b[22m', '\u001b[1mabcde\u001b[22m…\u001b[0m'],
  ])('%o cuts %j to %j', (stream, line, expected) => {
    expect(fitWidth(stream, line)).toBe(expected);
  });
  it.each([[0, '0'], [999, '999'], [1234567, '1,234,567'], [2.6, '3']])('formatCount(%d) = %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });
});
