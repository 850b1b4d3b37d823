// create --batch-api with --schema: the batch requests carry the schema as live calls do
// (OpenAI response_format json_schema strict, an Anthropic forced tool), the stub's batch answers
// with `stubObject(schema, prompt)`, and collected answers are validated as live: typed columns,
// cell by cell; an answer off the schema is an `invalid-output` row with its text kept.
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv, WIRE_MODEL, type Wire } from '../helpers/create.js';
import { PROMPT, promptFor, reviewsCsv } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubObject, type Stub } from '../stub/server.js';

const ROWS = 12;
const COMPACT = 'label: positive|negative, score: number';
const SCHEMA = { type: 'object', properties: { label: { type: 'string', enum: ['positive', 'negative'] }, score: { type: 'number' } } };
const types = (columns: { name: string; type: string }[]) => Object.fromEntries(columns.map((c) => [c.name, c.type]));

describe.each<Wire>(['openai', 'anthropic'])('--batch-api --schema over the %s wire', (wire) => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let source: string;
  let n = 0;

  beforeAll(async () => {
    stub = await startStub();
    temp = tempDir();
    env = { ...stubEnv(stub, wire, join(temp.dir, 'home')), EVALCTL_BATCH_POLL_MS: '50' };
    source = await reviewsCsv(temp.dir, 'reviews.csv', ROWS);
  });
  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });
  beforeEach(() => {
    stub.configure({ answer: undefined });
    stub.reset();
  });

  const create = (out: string) => runCli(['create', source, '-p', PROMPT, '-m', WIRE_MODEL[wire], '--schema', COMPACT, '-t', 'answer', '-o', out, '--batch-api', '--json'], { cwd: temp.dir, env });

  it('gives typed columns, every cell from the stub\'s object', async () => {
    const out = join(temp.dir, `out-${++n}.parquet`);
    const result = await create(out);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', failed_rows: 0 });
    expect(stub.stats().batches.requests).toBe(ROWS);

    const { columns, rows } = await readTable(out);
    expect(types(columns)).toEqual({
      id: 'VARCHAR', review: 'VARCHAR', answer: 'VARCHAR', answer_label: 'VARCHAR', answer_score: 'DOUBLE',
      answer_status: 'VARCHAR', answer_error: 'VARCHAR', answer_raw: 'VARCHAR',
    });
    rows.forEach((row, i) => {
      const expected = stubObject(SCHEMA, promptFor(i)) as { label: string; score: number };
      expect([row.answer_label, row.answer_score, row.answer_status, row.answer_error, row.answer_raw]).toEqual([expected.label, expected.score, 'answered', null, null]);
      expect(JSON.parse(row.answer as string)).toEqual(expected);
    });
    expect(new Set(rows.map((r) => r.answer_label)).size).toBeGreaterThan(1);
  });

  it('an answer off the schema is a failed row (invalid-output) with its text kept; the others are typed', async () => {
    const bad: Record<string, string> = { [promptFor(2)]: '{"label":"maybe","score":1}', [promptFor(7)]: 'not json at all' };
    stub.configure({ answer: (prompt) => bad[prompt] ?? JSON.stringify(stubObject(SCHEMA, prompt)) });
    const out = join(temp.dir, `out-${++n}.parquet`);
    const result = await create(out);
    expect(result.code, result.stderr).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', failed_rows: 2 });

    const { rows } = await readTable(out);
    rows.forEach((row, i) => {
      const text = bad[promptFor(i)];
      if (text === undefined) {
        const expected = stubObject(SCHEMA, promptFor(i)) as { label: string; score: number };
        expect([row.answer_label, row.answer_score, row.answer_status]).toEqual([expected.label, expected.score, 'answered']);
        return;
      }
      expect([row.answer_label, row.answer_score, row.answer_status, row.answer_raw]).toEqual([null, null, 'failed', text]);
      expect(String(row.answer_error)).toMatch(i === 2 ? /does not match the schema/ : /not JSON/);
    });
  });
});
