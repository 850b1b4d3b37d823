import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { expectAnswered, sha256, stubEnv, stubTokens } from '../helpers/create.js';
import { readTable } from '../helpers/table.js';

// `evalctl create` options that change what is sent or written: --sample, --sample-seed,
// --prompt-file, --usage-columns, --overwrite of a target column, --json.

let stub: Stub;
const { dir, cleanup } = tempDir();
let n = 0;

beforeAll(async () => { stub = await startStub(); });
afterAll(async () => { await stub.close(); cleanup(); });
beforeEach(() => stub.reset());

/** A fresh directory per test holding its input files, outputs and EVALCTL_HOME. */
function setup(files: Record<string, string>): { root: string; env: Record<string, string> } {
  const root = join(dir, `t${++n}`);
  mkdirSync(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return { root, env: stubEnv(stub, 'openai', join(root, 'home')) };
}

const TEN = 'id,word\n' + Array.from({ length: 10 }, (_, i) => `${i},w${i}`).join('\n') + '\n';
const wordPrompt = (i: number) => `word ${i}: w${i}`;

describe('--sample', () => {
  it.each([
    // [flags, rows expected in the output, in order]
    [['--sample', '3'], [0, 1, 2]],
    [['--sample'], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    [['--sample', '50'], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    // Seeded: the same three rows for seed 7 every time (recorded), in file order.
    [['--sample', '3', '--sample-seed', '7'], [0, 8, 9]],
  ])('%j sends and writes rows %j', async (flags, rows) => {
    const { root, env } = setup({ 'ten.csv': TEN });
    const result = await runCli(['create', 'ten.csv', '-p', 'word {id}: {word}', ...flags, '--json'], { cwd: root, env });
    const output = join(root, 'ten.prediction.csv');
    const table = await readTable(output);
    expectAnswered(result, table.rows, rows.map(wordPrompt), { stub, output });
    expect(table.rows.map((r) => r.id)).toEqual(rows.map(String));
    const job = JSON.parse(result.stdout);
    expect(job).toMatchObject({ progress: { processed: rows.length, total: rows.length }, settings: { is_sample: true, sample_count: rows.length } });
  });

  it('picks the same rows for the same seed on a second run, other rows for another seed', async () => {
    const { root, env } = setup({ 'ten.csv': TEN });
    const ids = async (seed: string, output: string) => {
      const result = await runCli(['create', 'ten.csv', '-p', '{word}', '--sample', '4', '--sample-seed', seed, '-o', output, '--no-cache'], { cwd: root, env });
      expect(result.code, result.stderr).toBe(0);
      return (await readTable(join(root, output))).rows.map((r) => r.id);
    };
    const first = await ids('11', 'a.csv');
    expect(first).toHaveLength(4);
    expect(await ids('11', 'b.csv')).toEqual(first);
    expect(await ids('12', 'c.csv')).not.toEqual(first);
  });

  it.each([
    [['--sample-seed', '7'], 2, '--sample-seed needs --sample'],
    [['--sample', '0'], 2, '--sample "0"'],
    [['--sample', '-3'], 2, '--sample "-3"'],
    [['--sample', '3', '--sample-seed', 'x'], 2, '--sample-seed "x"'],
  ])('%j is refused with exit %i', async (flags, code, message) => {
    const { root, env } = setup({ 'ten.csv': TEN });
    const result = await runCli(['create', 'ten.csv', '-p', '{word}', ...flags], { cwd: root, env });
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    expect(stub.stats().requests).toBe(0);
  });
});

describe('--prompt-file', () => {
  it('reads the template from a file, keeping inner newlines and dropping one trailing newline', async () => {
    const { root, env } = setup({ 'in.csv': 'review\nnice\nbad\n', 'prompt.txt': 'Classify this review.\n\nReview: {review}\nAnswer with {{"label": ...}}\n' });
    const result = await runCli(['create', 'in.csv', '--prompt-file', 'prompt.txt', '-o', 'out.jsonl'], { cwd: root, env });
    const output = join(root, 'out.jsonl');
    const prompts = ['nice', 'bad'].map((r) => `Classify this review.\n\nReview: ${r}\nAnswer with {"label": ...}`);
    expectAnswered(result, (await readTable(output)).rows, prompts, { stub, output });
  });

  it.each([
    [{ 'prompt.txt': 'Review: {reveiw}' }, ['--prompt-file', 'prompt.txt'], 1, 'Column "reveiw" in the prompt is not in in.csv (columns: review). Did you mean "review"?'],
    [{ 'prompt.txt': 'Review: {review' }, ['--prompt-file', 'prompt.txt'], 2, 'The prompt template (prompt.txt) has an unclosed "{"'],
    [{}, ['--prompt-file', 'missing.txt'], 1, 'missing.txt'],
  ])('%j %j fails with exit %i: %s', async (files, flags, code, message) => {
    const { root, env } = setup({ 'in.csv': 'review\nnice\n', ...files });
    const result = await runCli(['create', 'in.csv', ...flags], { cwd: root, env });
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(stub.stats().requests).toBe(0);
    expect(readdirSync(root).filter((f) => f.includes('prediction'))).toEqual([]);
  });
});

describe('--usage-columns', () => {
  it.each(['out.parquet', 'out.csv'])('adds <target>_prompt_tokens and <target>_completion_tokens per row (%s)', async (name) => {
    const { root, env } = setup({ 'in.csv': 'text\nshort\na much longer piece of text here\n' });
    const result = await runCli(['create', 'in.csv', '-p', 'T: {text}', '-t', 'label', '--usage-columns', '-o', name, '--system', 'sys'], { cwd: root, env });
    const output = join(root, name);
    const table = await readTable(output);
    const prompts = ['T: short', 'T: a much longer piece of text here'];
    expectAnswered(result, table.rows, prompts, { stub, output, target: 'label', system: 'sys' });
    expect(table.columns.map((c) => c.name)).toEqual(['text', 'label', 'label_status', 'label_error', 'label_prompt_tokens', 'label_completion_tokens']);
    const asNumbers = table.rows.map((r) => [Number(r.label_prompt_tokens), Number(r.label_completion_tokens)]);
    expect(asNumbers).toEqual(prompts.map((p) => [stubTokens('sys' + p), stubTokens(stubAnswer(p))]));
    if (name.endsWith('.parquet')) expect(table.columns.at(-1)?.type).toBe('BIGINT');
  });
});

describe('a target column already in the input', () => {
  const INPUT = 'id,prediction,text\n1,old one,alpha\n2,,beta\n';

  it('is refused without --overwrite, nothing sent, nothing written', async () => {
    const { root, env } = setup({ 'in.csv': INPUT });
    const result = await runCli(['create', 'in.csv', '-p', '{text}'], { cwd: root, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('evalctl: Column "prediction" already exists in in.csv.');
    expect(result.stderr).toContain('--overwrite');
    expect(stub.stats().requests).toBe(0);
    expect(readdirSync(root).sort()).toEqual(['in.csv']);
  });

  it.each([
    ['out.csv', 'id,prediction,text\n1,old one,alpha\n2,,beta\n'],
    ['out.parquet', 'id,prediction,text\n1,old one,alpha\n2,,beta\n'],
    // An existing <target>_error column is replaced in place too.
    ['out.jsonl', 'prediction_error,id,prediction,text\nstale,1,old one,alpha\n,2,,beta\n'],
  ])('is replaced in place with --overwrite (%s)', async (name, csv) => {
    const { root, env } = setup({ 'in.csv': csv });
    const before = sha256(join(root, 'in.csv'));
    const result = await runCli(['create', 'in.csv', '-p', '{text}', '--overwrite', '-o', name], { cwd: root, env });
    const output = join(root, name);
    const table = await readTable(output);
    expectAnswered(result, table.rows, ['alpha', 'beta'], { stub, output });
    const inputColumns = csv.split('\n')[0].split(',');
    const expected = [...inputColumns, ...['prediction_status', 'prediction_error'].filter((name) => !inputColumns.includes(name))];
    expect(table.columns.map((c) => c.name)).toEqual(expected);
    expect(table.rows.map((r) => [r.id, r.text])).toEqual([['1', 'alpha'], ['2', 'beta']]);
    expect(sha256(join(root, 'in.csv'))).toBe(before);
  });
});

describe('--json', () => {
  it('prints exactly one JSON object on stdout; the summary stays on stderr', async () => {
    const { root, env } = setup({ 'in.csv': 'q\none\ntwo\n' });
    const result = await runCli(['create', 'in.csv', '-p', '{q}', '--json', '--name', 'my run'], { cwd: root, env });
    expect(result.code, result.stderr).toBe(0);
    const job = JSON.parse(result.stdout);
    expect(typeof job).toBe('object');
    expect(result.stdout.trim().startsWith('{') && result.stdout.trim().endsWith('}')).toBe(true);
    expect(job).toMatchObject({
      name: 'my run', status: 'completed', output: join(root, 'in.prediction.csv'), progress: { processed: 2, total: 2 },
      failed_rows: 0, cached_rows: 0, error_message: null,
    });
    expect(job.settings).toMatchObject({ schema_version: 2, variants: [{ name: 'gpt_4o_mini', model: 'gpt-4o-mini', provider: 'openai' }], target_column: 'prediction', is_sample: false });
    expect(job.variants).toMatchObject([{ name: 'gpt_4o_mini', processed: 2, failed_rows: 0, prompt_tokens_used: job.prompt_tokens_used }]);
    expect(job.prompt_tokens_used).toBe(stubTokens('one') + stubTokens('two'));
    expect(job.completion_tokens_used).toBe(stubTokens(stubAnswer('one')) + stubTokens(stubAnswer('two')));
    expect(job.cost_usd).toBeCloseTo((job.prompt_tokens_used * 0.15 + job.completion_tokens_used * 0.6) / 1e6, 12);
    expect(JSON.stringify(job)).not.toContain('sk-test');
    expect(result.stderr).toContain(`output     ${join(root, 'in.prediction.csv')}`);
    expect(readFileSync(join(root, 'home', 'jobs', job.id, 'job.json'), 'utf8')).toContain('"status": "completed"');
  });
});
