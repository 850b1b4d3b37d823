// Structured output into typed columns, end to end: the real CLI and both SDKs against the
// stub, which answers a schema (OpenAI response_format, an Anthropic forced tool, or the
// schema in the prompt) with `stubObject(schema, prompt)`. Every case reads the output back
// through DuckDB and checks each column's type and every cell.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv, WIRE_MODEL, type Wire } from '../helpers/create.js';
import { answerLines, jobIds, PROMPT, promptFor, reviewsCsv } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubObject, type Stub, type StubOptions } from '../stub/server.js';

const temp = tempDir();
const stubs: Stub[] = [];
afterAll(async () => {
  await Promise.all(stubs.map((stub) => stub.close()));
  temp.cleanup();
});

let cases = 0;
async function bench(rows: number, options: StubOptions = {}) {
  const stub = await startStub(options);
  stubs.push(stub);
  const root = join(temp.dir, `case${++cases}`);
  mkdirSync(root);
  const input = await reviewsCsv(root, 'reviews.csv', rows);
  return { stub, root, input, home: join(root, 'home'), prompts: Array.from({ length: rows }, (_, i) => promptFor(i)) };
}

const COMPACT = 'sentiment: positive|negative|neutral, confidence: number, topics: string[]';
const THREE = { type: 'object', properties: { sentiment: { type: 'string', enum: ['positive', 'negative', 'neutral'] }, confidence: { type: 'number' }, topics: { type: 'array', items: { type: 'string' } } } };
type Row = Record<string, unknown>;
const types = (columns: { name: string; type: string }[]) => Object.fromEntries(columns.map((c) => [c.name, c.type]));

describe('structured output: done when', () => {
  it.each<Wire>(['openai', 'anthropic'])('a three-field schema gives three typed columns on the %s wire, every cell from the stub\'s object', async (wire) => {
    const { stub, root, input, home, prompts } = await bench(12);
    const output = join(root, 'out.parquet');
    const result = await runCli(['create', input, '-p', PROMPT, '-m', WIRE_MODEL[wire], '--schema', COMPACT, '-o', output], { cwd: root, env: stubEnv(stub, wire, home) });
    expect(result.code, result.stderr).toBe(0);

    const { columns, rows } = await readTable(output);
    expect(types(columns)).toEqual({
      id: 'VARCHAR', review: 'VARCHAR', prediction: 'VARCHAR',
      prediction_sentiment: 'VARCHAR', prediction_confidence: 'DOUBLE', prediction_topics: 'VARCHAR[]',
      prediction_status: 'VARCHAR', prediction_error: 'VARCHAR', prediction_raw: 'VARCHAR',
    });
    rows.forEach((row: Row, i) => {
      const expected = stubObject(THREE, prompts[i]) as Record<string, unknown>;
      expect([row.prediction_sentiment, row.prediction_confidence, row.prediction_topics, row.prediction_status, row.prediction_error, row.prediction_raw])
        .toEqual([expected.sentiment, expected.confidence, expected.topics, 'answered', null, null]);
      expect(JSON.parse(row.prediction as string)).toEqual(expected);
    });
    expect(new Set(rows.map((r) => r.prediction_sentiment)).size).toBeGreaterThan(1);
    // Sent the way each wire does it best.
    const body = stub.stats().lastRequest!.body as Record<string, any>;
    if (wire === 'openai') {
      expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'answer', strict: true } });
      expect(body.response_format.json_schema.schema).toMatchObject({ required: ['sentiment', 'confidence', 'topics'], additionalProperties: false });
    } else {
      expect(body.tool_choice).toEqual({ type: 'tool', name: 'answer' });
      expect(body.tools[0].input_schema.properties).toEqual(THREE.properties);
    }
  });

  it.each<Wire>(['openai', 'anthropic'])('an answer that does not parse or validate on the %s wire is failed (invalid-output), paid, its text in _raw', async (wire) => {
    const bad: Record<string, string> = { [promptFor(2)]: 'I think it is positive.', [promptFor(4)]: '{"sentiment": "great", "confidence": "high", "topics": []}' };
    const { stub, root, input, home, prompts } = await bench(6, { answer: (p) => bad[p] ?? JSON.stringify(stubObject(THREE, p)) });
    const output = join(root, 'out.parquet');
    const result = await runCli(['create', input, '-p', PROMPT, '-m', WIRE_MODEL[wire], '--schema', COMPACT, '-o', output], { cwd: root, env: stubEnv(stub, wire, home) });
    expect(result.code, result.stderr).toBe(3);
    const { rows } = await readTable(output);
    const wanted = [
      [null, null, 'failed', 'the answer is not JSON: "I think it is positive."', bad[prompts[2]]],
      [null, null, 'failed', 'the answer does not match the schema: /sentiment must be equal to one of the allowed values (positive, negative, neutral); /confidence must be number',
        // A tool call's input comes back as an object: its raw text is that object as JSON.
        wire === 'anthropic' ? JSON.stringify(JSON.parse(bad[prompts[4]])) : bad[prompts[4]]],
    ];
    rows.forEach((row: Row, i) => {
      const cells = [row.prediction_sentiment, row.prediction_confidence, row.prediction_status, row.prediction_error, row.prediction_raw];
      if (i === 2) expect(cells).toEqual(wanted[0]);
      else if (i === 4) expect(cells).toEqual(wanted[1]);
      else expect(cells.slice(0, 3)).toEqual([(stubObject(THREE, prompts[i]) as Row).sentiment, (stubObject(THREE, prompts[i]) as Row).confidence, 'answered']);
    });
    const failed = answerLines(home, jobIds(home)[0]).filter((line) => line.error !== null) as unknown as Row[];
    expect(failed.map((line) => [line.row, line.error_kind])).toEqual(expect.arrayContaining([[2, 'invalid-output'], [4, 'invalid-output']]));
    expect(failed.every((line) => (line.prompt_tokens as number) > 0)).toBe(true);
    expect(stub.stats().paid).toBe(6);
  });

  it('a JSON Schema file: BIGINT, BOOLEAN, STRUCT and an optional field in parquet; the same as JSON text in CSV', async () => {
    const { stub, root, input, home, prompts } = await bench(5);
    const schema = { type: 'object', properties: { count: { type: 'integer' }, spam: { type: 'boolean' }, where: { type: 'object', properties: { city: { type: 'string' }, score: { type: 'number' } }, required: ['city', 'score'] }, note: { type: 'string' } }, required: ['count', 'spam', 'where'] };
    writeFileSync(join(root, 'schema.json'), JSON.stringify(schema));
    const env = stubEnv(stub, 'openai', home);
    for (const ext of ['parquet', 'csv']) {
      const output = join(root, `out.${ext}`);
      const result = await runCli(['create', input, '-p', PROMPT, '--schema', 'schema.json', '-o', output], { cwd: root, env });
      expect(result.code, result.stderr).toBe(0);
      const { columns, rows } = await readTable(output);
      if (ext === 'parquet') {
        expect(types(columns)).toMatchObject({ prediction_count: 'BIGINT', prediction_spam: 'BOOLEAN', prediction_where: 'STRUCT(city VARCHAR, score DOUBLE)', prediction_note: 'VARCHAR' });
      }
      rows.forEach((row: Row, i) => {
        const o = stubObject(schema, prompts[i]) as Record<string, any>;
        const where = ext === 'csv' ? JSON.stringify(o.where) : o.where;
        const spam = ext === 'csv' ? String(o.spam) : o.spam;
        expect([row.prediction_count, row.prediction_spam, row.prediction_where, row.prediction_note]).toEqual([String(o.count), spam, where, o.note]);
      });
    }
  });

  it('a server that refuses response_format: the schema goes in the prompt from then on, and the answers are still validated into columns', async () => {
    const { stub, root, input, home, prompts } = await bench(6, { rejectResponseFormat: true });
    const output = join(root, 'out.parquet');
    const result = await runCli(['create', input, '-p', PROMPT, '-m', 'openai:local-model', '--base-url', stub.openaiBaseURL, '--schema', COMPACT, '-c', '1', '-o', output], { cwd: root, env: { EVALCTL_HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    const { rows } = await readTable(output);
    expect(rows.map((row) => [row.prediction_sentiment, row.prediction_confidence, row.prediction_topics, row.prediction_status]))
      .toEqual(prompts.map((p) => { const o = stubObject(THREE, p) as Row; return [o.sentiment, o.confidence, o.topics, 'answered']; }));
    // One refusal, then every request (the refused one again too) with the schema in the prompt.
    expect(stub.stats().byStatus).toEqual({ 200: 6, 400: 1 });
  });

  it('the schema is part of the cache key: the same job again is answered from the cache, another schema is sent again', async () => {
    const { stub, root, input, home } = await bench(4);
    const env = stubEnv(stub, 'openai', home);
    const run = (schema: string, name: string) => runCli(['create', input, '-p', PROMPT, '--schema', schema, '-o', join(root, name)], { cwd: root, env });
    expect((await run(COMPACT, 'a.parquet')).code).toBe(0);
    expect((await run(COMPACT, 'b.parquet')).code).toBe(0);
    expect(stub.stats().paid).toBe(4);
    const other = await run('sentiment: positive|negative, confidence: number, topics: string[]', 'c.parquet');
    expect(other.code, other.stderr).toBe(0);
    expect(stub.stats().paid).toBe(8);
    expect((await readTable(join(root, 'b.parquet'))).rows.map((r) => r.prediction_status)).toEqual(['cached', 'cached', 'cached', 'cached']);
  });

  it('--structured --choices asks for {"label": ...}: the answer lands in prediction_label, and scoring reads that column', async () => {
    const { stub, root, home, prompts } = await bench(1);
    const labels = ['positive', 'negative', 'neutral'];
    const schema = { type: 'object', properties: { label: { type: 'string', enum: labels } } };
    const rows = Array.from({ length: 8 }, (_, i) => promptFor(i));
    const truth = rows.map((p, i) => (i < 6 ? (stubObject(schema, p) as Row).label : 'wrong'));
    writeFileSync(join(root, 'gt.csv'), 'id,review,truth\n' + rows.map((_, i) => `${i},review ${i},${truth[i]}`).join('\n') + '\n');
    void prompts;
    const output = join(root, 'out.csv');
    const result = await runCli(['create', 'gt.csv', '-p', PROMPT, '--structured', '--choices', labels.join(','), '--ground-truth', 'truth', '-o', output, '--json'], { cwd: root, env: stubEnv(stub, 'openai', home) });
    expect(result.code, result.stderr).toBe(0);
    const table = await readTable(output);
    expect(table.rows.map((r) => r.prediction_label)).toEqual(rows.map((p) => (stubObject(schema, p) as Row).label));
    expect(table.rows.map((r) => r.prediction_correct)).toEqual(truth.map((_, i) => String(i < 6)));
    expect(Object.values(JSON.parse(result.stdout).metrics as Record<string, { accuracy: number }>).map((m) => m.accuracy)).toEqual([6 / 8]);
    const body = stub.stats().lastRequest!.body as Record<string, any>;
    expect(body.response_format.json_schema.schema.properties.label.enum).toEqual(labels);
  });

  it.each([
    [['--schema', 'label: a|b, status: string'], /The schema field "status" would collide with evalctl's <target>_status column/],
    [['--schema', 'label'], /--schema "label" is not a field: write name: type/],
    [['--schema', 'n: decimal'], /the field "n" has an unknown type "decimal"/],
    [['--schema', '{"type": "array"}'], /must be an object schema with "properties"/],
    [['--structured'], /--structured needs --schema or --choices/],
  ])('refuses %j in one line, before sending anything', async (flags, message) => {
    const { stub, root, input, home } = await bench(2);
    const result = await runCli(['create', input, '-p', PROMPT, ...flags], { cwd: root, env: stubEnv(stub, 'openai', home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(stub.stats().requests).toBe(0);
  });
});
