import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { literal } from '../../src/core/sql.js';
import type { Stub } from '../stub/server.js';
import { runCli, type CliResult } from './cli.js';
import { duckdb } from './table.js';

/** The prompt the job tests use, and what it renders to for row `i` of a `reviewsCsv` file. */
export const PROMPT = 'Classify: {review}';
export const promptFor = (i: number, tag = 'review'): string => `Classify: ${tag} ${i}`;

/** Writes `rows` rows `id,review` (`review` = `<tag> <id>`) to a CSV file and returns its path. */
export async function reviewsCsv(dir: string, name: string, rows: number, tag = 'review'): Promise<string> {
  const path = join(dir, name);
  await duckdb(`COPY (SELECT i AS id, ${literal(tag)} || ' ' || i AS review FROM range(${rows}) t(i)) TO ${literal(path)} (FORMAT csv, HEADER true)`);
  return path;
}

/** Environment pointing the CLI at a stub (OpenAI wire) with its state in `home`. */
export function stubEnv(stub: Stub, home: string, key = 'sk-test-job-key-0123456789'): Record<string, string> {
  return { OPENAI_API_KEY: key, OPENAI_BASE_URL: stub.openaiBaseURL, EVALCTL_HOME: home };
}

/** Ids of the jobs in a store, in no particular order. */
export function jobIds(home: string): string[] {
  try {
    return readdirSync(join(home, 'jobs'));
  } catch {
    return [];
  }
}

/** The job record exactly as stored (no liveness check). */
export function storedRecord(home: string, id: string): Record<string, any> {
  return JSON.parse(readFileSync(join(home, 'jobs', id, 'job.json'), 'utf8'));
}

/** Every whole line of a job's answer log, parsed (a torn last line is skipped). */
export function answerLines(home: string, id: string): { row: number; answer: string | null; error: string | null; prompt_tokens: number; completion_tokens: number; cost: number }[] {
  const text = readFileSync(join(home, 'jobs', id, 'answers.jsonl'), 'utf8');
  return text.split('\n').filter((line) => line.endsWith('}')).map((line) => JSON.parse(line));
}

/** `evalctl status <id> --json`, parsed; fails the test on a non-zero exit. */
export async function statusJson(id: string, cwd: string, env: Record<string, string>): Promise<Record<string, any>> {
  const result = await runCli(['status', id, '--json'], { cwd, env });
  if (result.code !== 0) throw new Error(`status ${id} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Polls `check` until it returns a truthy value (returned), or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000, intervalMs = 100): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      const value = await check();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(intervalMs);
  }
}

/** `promise`, or an error with the CLI's stderr if the started CLI exits first. */
export function beforeExit<T>(run: { done: Promise<CliResult> }, promise: Promise<T>): Promise<T> {
  let settled = false;
  const exited = run.done.then((result): never => {
    if (settled) return undefined as never;
    throw new Error(`evalctl exited (code ${result.code}, signal ${result.signal}) too early:\n${result.stderr}`);
  });
  exited.catch(() => undefined);
  return Promise.race([promise, exited]).finally(() => { settled = true; });
}

/** Checks an output table row by row: ids in order, answers equal to `answerFor(i)` or not run. */
export function checkOutput(rows: Record<string, unknown>[], total: number, answerFor: (i: number) => string, target = 'answer'): { answered: number; notRun: number; problems: string[] } {
  const problems: string[] = [];
  let answered = 0;
  let notRun = 0;
  if (rows.length !== total) problems.push(`expected ${total} rows, got ${rows.length}`);
  rows.forEach((row, i) => {
    if (String(row.id) !== String(i)) problems.push(`row ${i}: id ${String(row.id)}`);
    const answer = row[target];
    const error = row[`${target}_error`];
    const status = row[`${target}_status`];
    if (answer === null && error === null && status === 'not_run') notRun += 1;
    else if (answer === answerFor(i) && error === null && (status === 'answered' || status === 'cached')) answered += 1;
    else problems.push(`row ${i}: ${JSON.stringify(answer)} / ${JSON.stringify(error)}`);
  });
  return { answered, notRun, problems: problems.slice(0, 10) };
}
