import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnswerLog, readAnswers } from '../../src/core/answers.js';
import { writeAnswersByRow } from '../../src/core/answers-by-row.js';
import { tempDir } from '../helpers/cli.js';

const { dir, cleanup } = tempDir('evalctl-answers-');
afterAll(cleanup);

const entry = (row: number, answer: string | null, error: string | null = null, variant = 0) => ({
  row, variant, status: error === null ? 'answered' as const : 'failed' as const, answer, error, error_kind: error === null ? null : 'server' as const,
  attempts: 1, latency_ms: 5, prompt_tokens: 1, completion_tokens: 2, cost: 0,
});

describe('AnswerLog', () => {
  it('writes one JSON line per answer, each in the kernel by the next event-loop turn', async () => {
    const path = join(dir, 'plain.jsonl');
    const log = new AnswerLog(path);
    log.append(entry(0, 'a'));
    log.append(entry(1, null, 'boom'));
    await new Promise((resolve) => setImmediate(resolve));
    // Not closed yet: what a SIGKILL now would leave on disk.
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.row, l.answer, l.error])).toEqual([[0, 'a', null], [1, null, 'boom']]);
    log.close();
  });

  it('ends a line torn by a crash before appending, so the next answer is not lost with it', () => {
    const path = join(dir, 'torn.jsonl');
    writeFileSync(path, `${JSON.stringify(entry(0, 'a'))}\n{"row":1,"answ`);
    const log = new AnswerLog(path);
    log.append(entry(2, 'c'));
    log.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[1]).toBe('{"row":1,"answ');
    expect(JSON.parse(lines[2])).toMatchObject({ row: 2, answer: 'c' });
  });
});

describe('writeAnswersByRow', () => {
  /** Each row's line of the row-ordered file: [row, [answer or error or null per variant]]. */
  async function byRow(name: string, lines: string[], rows: number[], variants = 1, rowCount = 5) {
    const logPath = join(dir, `${name}.jsonl`);
    writeFileSync(logPath, lines.join('\n'));
    const outPath = join(dir, `${name}-by-row.jsonl`);
    await writeAnswersByRow({ logPath, outPath, rowCount, variants, rows });
    return readFileSync(outPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .map((r) => [r.row, r.a.map((x: any) => (x === null ? null : x.answer ?? x.error))]);
  }

  it('puts answers in row order, one per row, the winner chosen as the writer documents', async () => {
    expect(await byRow('mixed', [
      JSON.stringify(entry(3, 'three')),
      JSON.stringify(entry(0, null, 'first try failed')),
      '{"row":9,"answer":"x"}', // a row the table does not have
      'not json at all',
      JSON.stringify(entry(0, 'zero')),
      JSON.stringify(entry(3, null, 'a later error does not beat an answer')),
      JSON.stringify(entry(4, 'old')),
      JSON.stringify(entry(4, 'new')),
      '{"row":2,"answer":"torn',
    ], [0, 1, 2, 3, 4])).toEqual([[0, ['zero']], [1, [null]], [2, [null]], [3, ['three']], [4, ['new']]]);
  });

  it('writes only the selected rows', async () => {
    expect((await byRow('sel', [entry(1, 'one'), entry(3, 'three')].map((e) => JSON.stringify(e)), [1, 2, 3])).map(([row]) => row)).toEqual([1, 2, 3]);
  });

  it('keeps each variant in its slot, and skips lines of a variant the job does not have', async () => {
    expect(await byRow('variants', [
      JSON.stringify(entry(0, 'a1', null, 1)),
      JSON.stringify(entry(0, 'a0', null, 0)),
      JSON.stringify(entry(1, null, 'b1 failed', 1)),
      JSON.stringify(entry(1, 'stray', null, 2)),
    ], [0, 1, 2], 2)).toEqual([[0, ['a0', 'a1']], [1, [null, 'b1 failed']], [2, [null, null]]]);
  });

  it.each([
    ['a count that is a string', { prompt_tokens: '12' }],
    ['a negative cost', { cost: -5 }],
    ['a status evalctl does not write', { status: 'maybe' }],
    ['an answered line with no answer text', { answer: 42 }],
    ['a fractional row', { row: 1.5 }],
  ])('reads a damaged line as the log allows: %s', async (_, damage) => {
    const { tallies, done } = await (async () => {
      const path = join(dir, `damaged-${Object.keys(damage)[0]}.jsonl`);
      writeFileSync(path, JSON.stringify({ ...entry(1, 'x'), cost: 0.5, ...damage }) + '\n');
      return readAnswers(path, 3);
    })();
    const tally = tallies[0];
    expect(Number.isFinite(tally.cost) && Number.isFinite(tally.promptTokens)).toBe(true);
    expect(tally.cost).toBeGreaterThanOrEqual(0);
    if ('status' in damage || 'answer' in damage || 'row' in damage) expect([...done]).toEqual([0, 0, 0]);
  });
});

describe('readAnswers', () => {
  it('tallies spend over every entry and outcomes per row, and marks what a resume must send', async () => {
    const path = join(dir, 'tally.jsonl');
    // Lines as evalctl 0.1 wrote them: no variant, no status, a cached flag.
    const line = (row: number, answer: string | null, error: string | null, cost: number, cached = false) =>
      JSON.stringify({ row, answer, error, prompt_tokens: 10, completion_tokens: 5, cost, cached, t: 1 });
    writeFileSync(path, [
      line(0, 'a', null, 0.5),
      line(1, null, 'boom', 0),
      line(2, null, 'boom', 0),
      line(2, 'c', null, 0.25), // retried and answered: not failed any more
      line(3, 'd', null, 0, true), // from the cache
      line(9, 'x', null, 100), // a row the table does not have: ignored
      '{"row":4,"answer":"torn', // torn by a crash: row 4 has no answer
    ].join('\n'));
    const { tallies, done, failed } = await readAnswers(path, 5);
    expect([...done]).toEqual([1, 0, 1, 1, 0]);
    expect([...failed]).toEqual([0, 1, 0, 0, 0]);
    const { latency, ...tally } = tallies[0];
    expect(tally).toEqual({ answered: 3, failed: 1, cached: 1, deduplicated: 0, promptTokens: 50, completionTokens: 25, cost: 0.75 });
    expect(latency.count).toBe(0);
  });

  it('tallies each variant apart, with latency from answered lines', async () => {
    const path = join(dir, 'tally-variants.jsonl');
    writeFileSync(path, [entry(0, 'a', null, 0), entry(0, null, 'x', 1), entry(1, 'b', null, 1)].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const { tallies, done, failed } = await readAnswers(path, 2, 2);
    expect([...done]).toEqual([1, 0, 0, 1]);
    expect([...failed]).toEqual([0, 1, 0, 0]);
    expect(tallies.map((t) => [t.answered, t.failed, t.latency.summary()])).toEqual([[1, 0, { p50: 5, p95: 5 }], [1, 1, { p50: 5, p95: 5 }]]);
  });
});
