// A job killed with SIGKILL while its judge is at work resumes without asking the judge
// again about any pair it had a verdict for: only requests in flight at the kill are paid twice.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../helpers/cli.js';
import { beforeExit, jobIds, PROMPT, promptFor, reviewsCsv, statusJson, stubEnv, waitFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

const ROWS = 300;
const CONCURRENCY = 8;
const JUDGE_MODEL = 'gpt-4o';
const scoreOf = (row: number) => 1 + (row % 5);

describe('SIGKILL mid-judging, then resume', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  let home: string;
  let id: string;
  let output: string;
  let verdictsAtKill: number;

  const verdictLines = () => {
    const path = join(home, 'jobs', id, 'judgements.jsonl');
    return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((line) => line.endsWith('}')).length : 0;
  };

  beforeAll(async () => {
    stub = await startStub({
      latencyMs: 40,
      answer: (prompt) => {
        const row = /^JUDGE (\d+):/.exec(prompt);
        return row ? `{"score": ${scoreOf(Number(row[1]))}, "reason": "row ${row[1]}"}` : stubAnswer(prompt);
      },
    });
    temp = tempDir();
    home = join(temp.dir, 'home');
    const env = stubEnv(stub, home);
    const source = await reviewsCsv(temp.dir, 'reviews.csv', ROWS);
    output = join(temp.dir, 'out.parquet');
    // --no-cache: the response cache would hide double payments from the stub's count.
    const run = startCli(['create', source, '-p', PROMPT, '-m', 'gpt-4o-mini', '--judge', 'JUDGE {id}: {prediction}', '--judge-model', JUDGE_MODEL,
      '-c', String(CONCURRENCY), '-o', output, '--no-cache'], { cwd: temp.dir, env });
    id = await beforeExit(run, waitFor('the job to be created', () => jobIds(home)[0]));
    await beforeExit(run, waitFor('40% of the verdicts', () => verdictLines() >= ROWS * 0.4, 60_000, 20));
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    verdictsAtKill = verdictLines();
    expect(await statusJson(id, temp.dir, env)).toMatchObject({ status: 'errored', stop_reason: 'crashed' });

    const resumed = await runCli(['resume', id], { cwd: temp.dir, env, timeoutMs: 90_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
  }, 150_000);

  afterAll(async () => {
    await stub?.close();
    temp?.cleanup();
  });

  it('was killed while judging, neither at its start nor at its end', () => {
    expect(verdictsAtKill).toBeGreaterThanOrEqual(ROWS * 0.4);
    expect(verdictsAtKill).toBeLessThan(ROWS * 0.9);
  });

  it('paid the judge again only for requests in flight at the kill, and every answer once', () => {
    const judged = stub.stats().paidByModel[JUDGE_MODEL];
    expect(Object.keys(judged)).toHaveLength(ROWS);
    const counts = Object.values(judged);
    expect(counts.filter((n) => n === 2).length).toBeLessThanOrEqual(CONCURRENCY);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    const answered = Object.values(stub.stats().paidByModel['gpt-4o-mini']);
    expect(answered).toHaveLength(ROWS);
    expect(answered.every((n) => n === 1)).toBe(true);
  });

  it('writes every row with its verdict', async () => {
    const { rows } = await readTable(output);
    expect(rows).toHaveLength(ROWS);
    rows.forEach((row, i) => {
      expect([row.prediction_judge_score, row.prediction_judge_reason, row.prediction_judge_pass, row.prediction_judge_error], `row ${i}`)
        .toEqual([scoreOf(i), `row ${i}`, scoreOf(i) >= 3, null]);
    });
    expect(rows.map((r) => r.prediction)).toEqual(Array.from({ length: ROWS }, (_, i) => stubAnswer(promptFor(i))));
  });
});
