// `evalctl export <id> -o <path>`: a stopped job's output written again from its answers, in
// any format, with not one request sent; refused in one line for what it must not do.
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { benchFactory, errorLines, type Bench } from '../helpers/faults.js';
import { checkOutput, promptFor, statusJson, waitFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { stubAnswer } from '../stub/server.js';

const ROWS = 30;
const answerFor = (i: number) => stubAnswer(promptFor(i));
const benches = benchFactory();
afterAll(benches.close);

/** Cells as text (null stays null): a CSV copy reads as text, a parquet original as typed values. */
const cells = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])));

async function exportCli(b: Bench, args: string[]) {
  return runCli(['export', ...args], { cwd: b.root, env: b.env() });
}

describe('export of a completed job', () => {
  let b: Bench;
  let id: string;
  let original: string;

  beforeAll(async () => {
    b = await benches.make(ROWS);
    original = join(b.root, 'original.parquet');
    const result = await b.run(['-o', original, '--usage-columns', '--json']);
    expect(result.code, result.stderr).toBe(0);
    id = JSON.parse(result.stdout).id;
    b.stub.reset();
  });

  it.each(['copy.csv', 'copy.parquet', 'copy.jsonl', 'copy.tsv', 'copy.json'])('to %s equals the original cell by cell, with no request sent', async (name) => {
    const result = await exportCli(b, [id, '-o', name]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Wrote 30 rows of job ${id} (completed) to ${join(b.root, name)}`);
    const [copy, source] = [await readTable(join(b.root, name)), await readTable(original)];
    expect(copy.columns.map((c) => c.name)).toEqual(source.columns.map((c) => c.name));
    expect(cells(copy.rows)).toEqual(cells(source.rows));
    expect(checkOutput(copy.rows, ROWS, answerFor)).toMatchObject({ answered: ROWS, problems: [] });
    if (name.endsWith('.parquet')) expect(copy.columns).toEqual(source.columns);
    expect(b.stub.stats().requests).toBe(0);
    // A copy belongs to no job: nothing is left beside it.
    expect(existsSync(join(b.root, `.${name}.evalctl`))).toBe(false);
  });

  it('--overwrite without -o writes the job\'s own output again', async () => {
    const before = cells((await readTable(original)).rows);
    rmSync(original);
    const result = await exportCli(b, [id, '--overwrite']);
    expect(result.code, result.stderr).toBe(0);
    expect(cells((await readTable(original)).rows)).toEqual(before);
    expect(b.stub.stats().requests).toBe(0);
  });

  it.each([
    { name: 'no -o and no --overwrite', args: () => [id], code: 2, culprit: ['-o <path>', '--overwrite'] },
    { name: 'unknown id', args: () => ['nosuchjob', '-o', 'x.csv'], code: 1, culprit: ['"nosuchjob"'] },
    { name: 'onto the input file', args: () => [id, '-o', 'reviews.csv', '--overwrite'], code: 2, culprit: ['reviews.csv', 'is the input file'] },
    { name: 'an existing file without --overwrite', args: () => [id, '-o', 'original.parquet'], code: 1, culprit: ['original.parquet', 'already exists'] },
    { name: 'an unknown format', args: () => [id, '-o', 'copy.xlsx'], code: 2, culprit: ['copy.xlsx'] },
  ])('refuses $name in one line (exit $code)', async ({ args, code, culprit }) => {
    const result = await exportCli(b, args());
    expect(result.code, result.stderr).toBe(code);
    expect(result.stdout).toBe('');
    const lines = errorLines(result.stderr);
    expect(lines, result.stderr).toHaveLength(1);
    for (const part of culprit) expect(lines[0]).toContain(part);
    expect(b.stub.stats().requests).toBe(0);
  });

  it('refuses another job\'s output, even with --overwrite', async () => {
    const other = await b.run(['-o', 'other.csv', '--sample', '3', '--json']);
    expect(other.code, other.stderr).toBe(0);
    const otherId = JSON.parse(other.stdout).id;
    const before = cells((await readTable(join(b.root, 'other.csv'))).rows);
    const result = await exportCli(b, [id, '-o', 'other.csv', '--overwrite']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)).toEqual([`evalctl: The output other.csv belongs to job ${otherId} (completed).`]);
    expect(cells((await readTable(join(b.root, 'other.csv'))).rows)).toEqual(before);
  });

  it('refuses a job whose source changed since it ran', async () => {
    appendFileSync(b.input, '999,review 999\n');
    const result = await exportCli(b, [id, '-o', 'late.csv']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)[0]).toContain('changed since job');
    expect(existsSync(join(b.root, 'late.csv'))).toBe(false);
  });
});

describe('export of a stopped job', () => {
  it('cancelled at the budget: answered rows as they were, the rest not_run', async () => {
    const b = await benches.make(300, { latencyMs: 20 });
    const result = await b.run(['-o', 'partial.csv', '--max-cost', '0.0005', '--json']);
    expect(result.code, result.stderr).toBe(4);
    const job = JSON.parse(result.stdout);
    b.stub.reset();
    const exported = await exportCli(b, [job.id, '-o', 'partial.jsonl']);
    expect(exported.code, exported.stderr).toBe(0);
    const rows = (await readTable(join(b.root, 'partial.jsonl'))).rows;
    const check = checkOutput(rows, 300, answerFor);
    expect(check).toEqual({ answered: job.progress.processed, notRun: 300 - job.progress.processed, problems: [] });
    expect(check.notRun).toBeGreaterThan(0);
    expect(cells(rows)).toEqual(cells((await readTable(join(b.root, 'partial.csv'))).rows));
    expect(b.stub.stats().requests).toBe(0);
  });

  it('errored before any answer: every row not_run', async () => {
    const b = await benches.make(5, { status: 401 });
    const result = await b.run(['-o', 'never.csv', '--json']);
    expect(result.code).toBe(1);
    const [id] = (await runCli(['list', '--json'], { cwd: b.root, env: b.env() })).stdout.match(/"id": "(\w+)"/)!.slice(1);
    expect((await statusJson(id, b.root, b.env())).status).toBe('errored');
    expect(existsSync(join(b.root, 'never.csv'))).toBe(false);
    const exported = await exportCli(b, [id, '-o', 'never.csv']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(checkOutput((await readTable(join(b.root, 'never.csv'))).rows, 5, answerFor)).toEqual({ answered: 0, notRun: 5, problems: [] });
  });

  it('refuses a running job in one line', async () => {
    const b = await benches.make(200, { latencyMs: 200 });
    const started = await b.run(['-o', 'slow.csv', '-c', '1', '--detach']);
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();
    await waitFor('the job to run', async () => (await statusJson(id, b.root, b.env())).status === 'running');
    const result = await exportCli(b, [id, '-o', 'copy.csv']);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)).toHaveLength(1);
    expect(errorLines(result.stderr)[0]).toContain(`Job ${id} is running`);
    expect(existsSync(join(b.root, 'copy.csv'))).toBe(false);
    expect((await runCli(['cancel', id], { cwd: b.root, env: b.env() })).code).toBe(0);
  });
});

