import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/core/dataset.js';
import { EvalctlError } from '../../src/core/errors.js';
import { objectSize, writeOutput, type RowSelection } from '../../src/core/writer.js';
import { answerColumns } from '../../src/core/output/columns.js';
import { tempDir } from '../helpers/cli.js';
import { readTable } from '../helpers/table.js';

const { dir, cleanup } = tempDir('evalctl-writer-');
afterAll(cleanup);

const source = join(dir, 'in.csv');
writeFileSync(source, 'id,text\n0,zero\n1,one\n2,two\n3,three\n');

/** One answer-log line, as AnswerLog writes it. */
const answer = (row: number, text: string | null, error: string | null = null, t = 1) =>
  JSON.stringify({ row, variant: 0, status: error === null ? 'answered' : 'failed', answer: text, error, prompt_tokens: 1, completion_tokens: 1, cost: 0, t });

async function write(name: string, lines: string[], selection: RowSelection = { kind: 'all' }) {
  const answersPath = join(dir, `${name}.jsonl`);
  writeFileSync(answersPath, lines.join('\n') + '\n');
  const output = join(dir, `${name}.out.csv`);
  const dataset = await Dataset.open(source);
  try {
    await writeOutput(dataset, { output, format: 'csv', columns: answerColumns({ target_column: 'p', variants: [{ name: 'm' }] as never, usage_columns: false }), variants: 1, answersPath, selection });
  } finally {
    dataset.close();
  }
  return (await readTable(output)).rows.map((r) => [r.id, r.p, r.p_status === 'not_run' ? 'not_run' : r.p_error]);
}

describe('writeOutput', () => {
  it.each([
    ['answers in completion order go back to their rows', [answer(2, 'B'), answer(0, 'Z'), answer(3, 'C'), answer(1, 'O')],
      [['0', 'Z', null], ['1', 'O', null], ['2', 'B', null], ['3', 'C', null]]],
    ['a row with no entry is marked as not run, not dropped', [answer(0, 'Z'), answer(3, 'C')],
      [['0', 'Z', null], ['1', null, 'not_run'], ['2', null, 'not_run'], ['3', 'C', null]]],
    ['an answer beats an earlier or later error', [answer(0, null, 'boom', 1), answer(0, 'Z', null, 2), answer(1, 'O', null, 1), answer(1, null, 'late boom', 2), answer(2, 'B'), answer(3, 'C')],
      [['0', 'Z', null], ['1', 'O', null], ['2', 'B', null], ['3', 'C', null]]],
    ['of two answers the later wins', [answer(0, 'old', null, 1), answer(0, 'new', null, 2), answer(1, 'O'), answer(2, 'B'), answer(3, 'C')],
      [['0', 'new', null], ['1', 'O', null], ['2', 'B', null], ['3', 'C', null]]],
    ['a torn last line (crash mid-write) is skipped', [answer(0, 'Z'), answer(1, 'O'), answer(2, 'B'), '{"row":3,"answ'],
      [['0', 'Z', null], ['1', 'O', null], ['2', 'B', null], ['3', null, 'not_run']]],
  ])('%s', async (name, lines, expected) => {
    expect(await write(name.replace(/\W+/g, '-'), lines)).toEqual(expected);
  });

  it('writes only the first n rows of a sample', async () => {
    expect(await write('first', [answer(0, 'Z'), answer(1, 'O')], { kind: 'first', count: 2 })).toEqual([['0', 'Z', null], ['1', 'O', null]]);
  });

  it('writes only the chosen rows of a seeded sample, in file order', async () => {
    const path = join(dir, 'sample.json');
    writeFileSync(path, JSON.stringify({ rows: [1, 3] }));
    expect(await write('rows', [answer(3, 'C'), answer(1, 'O')], { kind: 'rows', path })).toEqual([['1', 'O', null], ['3', 'C', null]]);
  });

  it('ignores answers for rows the table does not have', async () => {
    expect(await write('stray', [answer(0, 'Z'), answer(1, 'O'), answer(2, 'B'), answer(3, 'C'), answer(7, 'no such row')]))
      .toEqual([['0', 'Z', null], ['1', 'O', null], ['2', 'B', null], ['3', 'C', null]]);
  });

  it('refuses to write when the answers are out of step with the rows (never misplaces an answer)', async () => {
    // A sample naming a row past the end: the answer lines and the source rows no longer pair up.
    const path = join(dir, 'bad-sample.json');
    writeFileSync(path, JSON.stringify({ rows: [1, 7] }));
    const error = await write('misaligned', [answer(1, 'O'), answer(7, 'x')], { kind: 'rows', path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvalctlError);
    expect((error as Error).message).toMatch(/out of step/);
  });
});

describe('objectSize: the JSON reader sized to the longest row-ordered line', () => {
  // DuckDB allocates twice maximum_object_size for its buffer: at a fixed 1 GB the write of
  // 1,000,000 short rows peaked at 760 MB (bench case c), so it follows the longest line.
  it('is at least 1 MB, and the next power of two above the longest line', () => {
    expect(objectSize(0)).toBe(1 << 20);
    expect(objectSize(300)).toBe(1 << 20);
    expect(objectSize((1 << 20) - 1)).toBe(1 << 20);
    expect(objectSize(1 << 20)).toBe(1 << 21);
    expect(objectSize(24_000_000)).toBe(1 << 25);
  });
});
