import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnswerLog, readAnswers } from '../../src/core/answers.js';
import { writeAnswersByRow } from '../../src/core/answers-by-row.js';
import { tempDir } from '../helpers/cli.js';

const { dir, cleanup } = tempDir('evalctl-answers-');
afterAll(cleanup);

const entry = (row: number, answer: string | null, error: string | null = null) =>
  ({ row, answer, error, prompt_tokens: 1, completion_tokens: 2, cost: 0, cached: false });

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
  it('puts answers in row order, one per row, the winner chosen as the writer documents', async () => {
    const logPath = join(dir, 'mixed.jsonl');
    writeFileSync(logPath, [
      JSON.stringify(entry(3, 'three')),
      JSON.stringify(entry(0, null, 'first try failed')),
      '{"row":9,"answer":"x"}', // a row the table does not have
      'not json at all',
      JSON.stringify(entry(0, 'zero')),
      JSON.stringify(entry(3, null, 'a later error does not beat an answer')),
      JSON.stringify(entry(4, 'old')),
      JSON.stringify(entry(4, 'new')),
      '{"row":2,"answer":"torn',
    ].join('\n'));
    const outPath = join(dir, 'by-row.jsonl');
    await writeAnswersByRow({ logPath, outPath, rowCount: 5, rows: [0, 1, 2, 3, 4], notRun: 'not run' });
    const rows = readFileSync(outPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.row, r.answer, r.error])).toEqual([
      [0, 'zero', null], [1, null, 'not run'], [2, null, 'not run'], [3, 'three', null], [4, 'new', null],
    ]);
  });

  it('writes only the selected rows', async () => {
    const logPath = join(dir, 'sel.jsonl');
    writeFileSync(logPath, [entry(1, 'one'), entry(3, 'three')].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const outPath = join(dir, 'sel-by-row.jsonl');
    await writeAnswersByRow({ logPath, outPath, rowCount: 5, rows: [1, 2, 3], notRun: 'not run' });
    expect(readFileSync(outPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).row)).toEqual([1, 2, 3]);
  });
});

describe('readAnswers', () => {
  it('tallies spend over every entry and outcomes per row, and marks what a resume must send', async () => {
    const path = join(dir, 'tally.jsonl');
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
    const { tally, done, failed } = await readAnswers(path, 5);
    expect([...done]).toEqual([1, 0, 1, 1, 0]);
    expect([...failed]).toEqual([0, 1, 0, 0, 0]);
    expect(tally).toEqual({ answered: 3, failed: 1, cached: 1, promptTokens: 50, completionTokens: 25, cost: 0.75 });
  });
});
