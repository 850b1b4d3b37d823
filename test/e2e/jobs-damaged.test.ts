import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { readTable } from '../helpers/table.js';

// A damaged job store is survivable (issue 9): a truncated record, a deleted answer log, junk
// lines in the log and a pid reused by another process each give a clear message and a way on.

const { dir, cleanup } = tempDir('evalctl-damaged-');
afterAll(cleanup);
let n = 0;

/** A fresh store with `count` completed echo jobs over a 4-row CSV; returns their ids, oldest first. */
async function storeWithJobs(count: number): Promise<{ root: string; env: Record<string, string>; ids: string[] }> {
  const root = join(dir, `t${++n}`);
  const env = { EVALCTL_HOME: join(root, 'home') };
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const input = `${root}-in${i}.csv`;
    writeFileSync(input, 'id,review\n1,a\n2,b\n3,c\n4,d\n');
    const result = await runCli(['create', input, '-p', 'R: {review}', '-m', 'echo', '--json', '-o', `${root}-out${i}.csv`], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    ids.push(JSON.parse(result.stdout).id);
  }
  return { root, env, ids };
}

const record = (env: Record<string, string>, id: string) => join(env.EVALCTL_HOME, 'jobs', id, 'job.json');

describe('a damaged job store', () => {
  it('a truncated record: list shows every other job and names the damaged one on stderr; status of it is one line', async () => {
    const { env, ids } = await storeWithJobs(3);
    const text = readFileSync(record(env, ids[1]), 'utf8');
    writeFileSync(record(env, ids[1]), text.slice(0, 100));
    const list = await runCli(['list'], { cwd: dir, env });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/)[0]).sort()).toEqual([ids[0], ids[2]].sort());
    expect(list.stderr).toContain(`warning: Job ${ids[1]} has no readable record`);
    const status = await runCli(['status', ids[1]], { cwd: dir, env });
    expect(status.code).toBe(1);
    expect(status.stderr.split('\n').filter((line) => line.startsWith('evalctl:'))).toEqual([expect.stringContaining(`Job ${ids[1]} has no readable record`)]);
    expect(status.stderr).not.toMatch(/^\s+at /m);
  });

  it('a record that is JSON but not a job: one line naming it as damaged', async () => {
    const { env, ids } = await storeWithJobs(1);
    writeFileSync(record(env, ids[0]), JSON.stringify({ hello: 'world' }));
    const status = await runCli(['status', ids[0]], { cwd: dir, env });
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(new RegExp(`^evalctl: Job ${ids[0]} has a damaged record`, 'm'));
  });

  it('a deleted answer log: resume refuses in one line, saying what to do', async () => {
    const { env, ids } = await storeWithJobs(1);
    // Failed rows make the job resumable; then its log goes missing.
    const job = JSON.parse(readFileSync(record(env, ids[0]), 'utf8'));
    writeFileSync(record(env, ids[0]), JSON.stringify({ ...job, status: 'cancelled' }));
    rmSync(join(env.EVALCTL_HOME, 'jobs', ids[0], 'answers.jsonl'));
    const resume = await runCli(['resume', ids[0]], { cwd: dir, env });
    expect(resume.code).toBe(1);
    const errors = resume.stderr.split('\n').filter((line) => line.startsWith('evalctl:'));
    expect(errors).toEqual([expect.stringMatching(/answer log of job \w+ .* is missing, so evalctl cannot tell which rows were paid for/)]);
  });

  it('junk lines in the answer log are skipped, never summed into the bill', async () => {
    const { env, ids } = await storeWithJobs(1);
    const job = JSON.parse(readFileSync(record(env, ids[0]), 'utf8'));
    writeFileSync(record(env, ids[0]), JSON.stringify({ ...job, status: 'cancelled' }));
    const log = join(env.EVALCTL_HOME, 'jobs', ids[0], 'answers.jsonl');
    // Keep rows 0 and 1; then lines that are not what evalctl writes.
    const kept = readFileSync(log, 'utf8').split('\n').filter(Boolean).filter((line) => JSON.parse(line).row < 2);
    writeFileSync(log, `${kept.join('\n')}\n`);
    appendFileSync(log, [
      '{"row":2,"variant":0,"status":"answered","answer":"x","prompt_tokens":"lots","cost":"NaN"}',
      '{"row":3,"variant":7,"status":"answered","answer":"wrong variant","cost":1000}',
      '{"row":"3","status":"answered","answer":"string row","cost":1000}',
      '[1,2,3]',
      'null',
    ].join('\n') + '\n');
    const resume = await runCli(['resume', ids[0], '--json'], { cwd: dir, env });
    expect(resume.code, resume.stderr).toBe(0);
    const done = JSON.parse(resume.stdout);
    expect(done.status).toBe('completed');
    expect(Number.isFinite(done.prompt_tokens_used) && Number.isFinite(done.cost_usd)).toBe(true);
    expect(done.cost_usd).toBe(0);
    const rows = (await readTable(done.output)).rows;
    // Every junk line is skipped whole (row 2's too: its counts are of the wrong type), and counted.
    expect(rows.map((r) => r.prediction)).toEqual(['R: a', 'R: b', 'R: c', 'R: d']);
    expect(resume.stderr).toContain('warning: 5 lines of');
  });

  it('a running job whose pid now belongs to another process reads as crashed, not running', async () => {
    const { env, ids } = await storeWithJobs(1);
    const job = JSON.parse(readFileSync(record(env, ids[0]), 'utf8'));
    // This test's own process is alive, but it is not the process that ran the job.
    writeFileSync(record(env, ids[0]), JSON.stringify({ ...job, status: 'running', pid: process.pid, pid_started: '1' }));
    const status = JSON.parse((await runCli(['status', ids[0], '--json'], { cwd: dir, env })).stdout);
    expect([status.status, status.stop_reason]).toEqual(['errored', 'crashed']);
    // With its real start time it is (rightly) taken as running.
    const started = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
    writeFileSync(record(env, ids[0]), JSON.stringify({ ...job, status: 'running', pid: process.pid, pid_started: started }));
    expect(JSON.parse((await runCli(['status', ids[0], '--json'], { cwd: dir, env })).stdout).status).toBe('running');
  });
});
