import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PRICES } from '../../src/core/pricing.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { expectAnswered, sha256, stubEnv, WIRE_MODEL, type Wire } from '../helpers/create.js';
import { duckdb, readTable } from '../helpers/table.js';

// `evalctl create` end to end: the real CLI, real DuckDB and the real SDKs against the stub.
// Every test checks the output cell by cell, in row order, and that each row was paid once.

let stub: Stub;
const { dir, cleanup } = tempDir();
let n = 0;

beforeAll(async () => { stub = await startStub(); });
afterAll(async () => { await stub.close(); cleanup(); });
beforeEach(() => stub.reset());

/** A fresh directory per test holding its input files, outputs and EVALCTL_HOME. */
function setup(files: Record<string, string>): string {
  const root = join(dir, `t${++n}`);
  mkdirSync(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

const TRICKY_CSV = [
  'id,review,note',
  '1,"He said ""great"", then left",a',
  '2,"line one',
  'line two",',
  '3,"commas, everywhere, here",c',
  '007,plain,"  spaced  "',
].join('\n') + '\n';

const TRICKY_ROWS = [
  { id: '1', review: 'He said "great", then left', note: 'a' },
  { id: '2', review: 'line one\nline two', note: null },
  { id: '3', review: 'commas, everywhere, here', note: 'c' },
  { id: '007', review: 'plain', note: '  spaced  ' },
];

describe.each(['openai', 'anthropic'] as Wire[])('over the %s wire', (wire) => {
  it('answers a CSV with quotes, newlines, commas and an empty field, cell by cell', async () => {
    const root = setup({ 'reviews.csv': TRICKY_CSV });
    const input = join(root, 'reviews.csv');
    const before = sha256(input);
    const result = await runCli(['create', 'reviews.csv', '-p', 'Review {id}: {review} ({note})', '-m', WIRE_MODEL[wire]], {
      cwd: root, env: stubEnv(stub, wire, join(root, 'home')),
    });
    const output = join(root, 'reviews.prediction.csv');
    const table = await readTable(output);
    const prompts = TRICKY_ROWS.map((r) => `Review ${r.id}: ${r.review} (${r.note ?? ''})`);
    expectAnswered(result, table.rows, prompts, { stub, output, price: PRICES[WIRE_MODEL[wire]] });
    expect(result.stdout).toBe('');
    expect(table.columns.map((c) => c.name)).toEqual(['id', 'review', 'note', 'prediction', 'prediction_status', 'prediction_error']);
    expect(table.rows.map(({ id, review, note }) => ({ id, review, note }))).toEqual(TRICKY_ROWS);
    expect(stub.stats().models).toEqual({ [WIRE_MODEL[wire]]: 4 });
    expect(sha256(input)).toBe(before);
  });

  it('sends --system with every row', async () => {
    const root = setup({ 'in.csv': 'q\nfirst\nsecond\n' });
    const result = await runCli(['create', 'in.csv', '-p', 'Q: {q}', '--system', 'You are terse.', '-m', WIRE_MODEL[wire], '-o', 'out.csv'], {
      cwd: root, env: stubEnv(stub, wire, join(root, 'home')),
    });
    const output = join(root, 'out.csv');
    expectAnswered(result, (await readTable(output)).rows, ['Q: first', 'Q: second'], { stub, output, system: 'You are terse.' });
    const body = stub.stats().lastRequest!.body as { system?: unknown; messages: { role: string; content: unknown }[] };
    const system = wire === 'anthropic' ? JSON.stringify(body.system) : JSON.stringify(body.messages.find((m) => m.role === 'system')?.content);
    expect(system).toContain('You are terse.');
  });
});

describe('input formats keep their types', () => {
  const PARQUET_SQL = `SELECT * FROM (VALUES
      (1::INTEGER, 10000000000::BIGINT, DATE '2024-01-02', 'alpha', 1.5::DOUBLE, true),
      (2::INTEGER, NULL::BIGINT, NULL::DATE, NULL::VARCHAR, NULL::DOUBLE, NULL::BOOLEAN),
      (3::INTEGER, -7::BIGINT, DATE '1999-12-31', 'gamma', -0.25::DOUBLE, false)
    ) t(i, big, d, s, x, b)`;
  // Nulls render as empty text.
  const PARQUET_PROMPTS = ['1 10000000000 2024-01-02 [alpha] 1.5 true', '2   []  ', '3 -7 1999-12-31 [gamma] -0.25 false'];
  const TEMPLATE = '{i} {big} {d} [{s}] {x} {b}';

  it('parquet: ints stay INTEGER/BIGINT, dates stay DATE, nulls stay null', async () => {
    const root = setup({});
    const input = join(root, 'typed.parquet');
    await duckdb(`COPY (${PARQUET_SQL}) TO '${input}' (FORMAT parquet)`);
    const before = sha256(input);
    const result = await runCli(['create', 'typed.parquet', '-p', TEMPLATE, '--json'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    const output = join(root, 'typed.prediction.parquet');
    const table = await readTable(output);
    expectAnswered(result, table.rows, PARQUET_PROMPTS, { stub, output });
    expect(table.columns).toEqual([
      { name: 'i', type: 'INTEGER' }, { name: 'big', type: 'BIGINT' }, { name: 'd', type: 'DATE' }, { name: 's', type: 'VARCHAR' },
      { name: 'x', type: 'DOUBLE' }, { name: 'b', type: 'BOOLEAN' }, { name: 'prediction', type: 'VARCHAR' }, { name: 'prediction_status', type: 'VARCHAR' }, { name: 'prediction_error', type: 'VARCHAR' },
    ]);
    expect(table.rows.map(({ prediction: _, prediction_status: _s, prediction_error: __, ...input }) => input)).toEqual([
      { i: 1, big: '10000000000', d: '2024-01-02', s: 'alpha', x: 1.5, b: true },
      { i: 2, big: null, d: null, s: null, x: null, b: null },
      { i: 3, big: '-7', d: '1999-12-31', s: 'gamma', x: -0.25, b: false },
    ]);
    const job = JSON.parse(result.stdout);
    expect(job).toMatchObject({ status: 'completed', progress: { processed: 3, total: 3 }, output, failed_rows: 0, error_message: null });
    expect(job.tokens_used).toBe(job.prompt_tokens_used + job.completion_tokens_used);
    expect(sha256(input)).toBe(before);
  });

  it.each([
    ['jsonl', 'in.jsonl', '{"id": 1, "text": "a \\"quoted\\" word"}\n{"id": 2, "text": null}\n{"id": 3, "text": "ünïcödé ✓"}\n'],
    ['ndjson', 'in.ndjson', '{"id": 1, "text": "a \\"quoted\\" word"}\n{"id": 2, "text": null}\n{"id": 3, "text": "ünïcödé ✓"}\n'],
    ['json array', 'in.json', '[{"id": 1, "text": "a \\"quoted\\" word"}, {"id": 2, "text": null}, {"id": 3, "text": "ünïcödé ✓"}]'],
  ])('%s in, same format out, numbers stay numbers (BIGINT reads back as a string)', async (_, name, text) => {
    const root = setup({ [name]: text });
    const result = await runCli(['create', name, '-p', '#{id}: {text}'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    const output = join(root, name.replace(/\.(\w+)$/, '.prediction.$1'));
    const table = await readTable(output);
    expectAnswered(result, table.rows, ['#1: a "quoted" word', '#2: ', '#3: ünïcödé ✓'], { stub, output });
    expect(table.rows.map((r) => [r.id, r.text])).toEqual([['1', 'a "quoted" word'], ['2', null], ['3', 'ünïcödé ✓']]);
    expect(table.columns.find((c) => c.name === 'id')?.type).toBe('BIGINT');
  });

  it('TSV in, TSV out, text unchanged', async () => {
    const root = setup({ 'in.tsv': 'code\tProduct Name\n007\tTea, green\n010\t"Quoted"\n' });
    const result = await runCli(['create', 'in.tsv', '-p', '{code} is {Product Name}'], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    const output = join(root, 'in.prediction.tsv');
    const table = await readTable(output);
    expectAnswered(result, table.rows, ['007 is Tea, green', '010 is Quoted'], { stub, output });
    expect(table.rows.map((r) => [r.code, r['Product Name']])).toEqual([['007', 'Tea, green'], ['010', 'Quoted']]);
  });

  it('column names with spaces and punctuation: {Product Name}, {price ($)}', async () => {
    const root = setup({ 'p.csv': 'Product Name,price ($),"say ""hi"""\nTea,3,x\nCoffee,4,y\n' });
    const result = await runCli(['create', 'p.csv', '-p', '{Product Name} costs {price ($)} / {say "hi"}', '-o', 'out.parquet'], {
      cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')),
    });
    const output = join(root, 'out.parquet');
    const table = await readTable(output);
    expectAnswered(result, table.rows, ['Tea costs 3 / x', 'Coffee costs 4 / y'], { stub, output });
    expect(table.columns.map((c) => c.name)).toEqual(['Product Name', 'price ($)', 'say "hi"', 'prediction', 'prediction_status', 'prediction_error']);
  });
});

describe('output formats from -o', () => {
  const CSV = 'id,text\n1,"x, ""y"""\n2,\n3,"multi\nline"\n';
  const PROMPTS = ['1: x, "y"', '2: ', '3: multi\nline'];

  it.each([
    ['out.parquet', 'VARCHAR'],
    ['out.csv', 'VARCHAR'],
    ['out.tsv', 'VARCHAR'],
    ['out.jsonl', 'VARCHAR'],
    ['out.ndjson', 'VARCHAR'],
    ['out.json', 'VARCHAR'],
  ])('%s', async (name, idType) => {
    const root = setup({ 'in.csv': CSV });
    const result = await runCli(['create', 'in.csv', '-p', '{id}: {text}', '-o', name], { cwd: root, env: stubEnv(stub, 'openai', join(root, 'home')) });
    const output = join(root, name);
    const table = await readTable(output);
    expectAnswered(result, table.rows, PROMPTS, { stub, output });
    expect(table.rows.map((r) => [r.id, r.text])).toEqual([['1', 'x, "y"'], ['2', null], ['3', 'multi\nline']]);
    // CSV values are text, and stay text in every format ("007" must never become 7).
    expect(table.columns.find((c) => c.name === 'id')?.type).toBe(idType);
  });

  it('refuses an existing -o without --overwrite, and replaces it with', async () => {
    const root = setup({ 'in.csv': 'a\nx\n', 'out.csv': 'keep me\n' });
    const env = stubEnv(stub, 'openai', join(root, 'home'));
    const refused = await runCli(['create', 'in.csv', '-p', '{a}', '-o', 'out.csv'], { cwd: root, env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('evalctl: The output out.csv already exists.');
    expect(refused.stderr).toContain('--overwrite');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(stub.stats().requests).toBe(0);
    expect(readFileSync(join(root, 'out.csv'), 'utf8')).toBe('keep me\n');

    const replaced = await runCli(['create', 'in.csv', '-p', '{a}', '-o', 'out.csv', '--overwrite'], { cwd: root, env });
    const output = join(root, 'out.csv');
    expectAnswered(replaced, (await readTable(output)).rows, ['x'], { stub, output });
  });

  it('names the default output beside the input, then -2 when taken', async () => {
    const root = setup({ 'x.csv': 'a\nv\n' });
    const env = stubEnv(stub, 'openai', join(root, 'home'));
    const first = await runCli(['create', 'x.csv', '-p', '{a}'], { cwd: root, env });
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(root, 'x.prediction.csv'))).toBe(true);
    const second = await runCli(['create', 'x.csv', '-p', '{a}', '--no-cache'], { cwd: root, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`output     ${join(root, 'x.prediction-2.csv')}`);
    expect((await readTable(join(root, 'x.prediction-2.csv'))).rows).toEqual([{ a: 'v', prediction: stubAnswer('v'), prediction_status: 'answered', prediction_error: null }]);
    const third = await runCli(['create', 'x.csv', '-p', '{a}', '-t', 'label'], { cwd: root, env });
    expect(third.stderr).toContain(`output     ${join(root, 'x.label.csv')}`);
  });
});
