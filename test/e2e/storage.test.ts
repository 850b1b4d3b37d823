import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { stubEnv } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

// A full disk under the job store (issue 9), for real: EVALCTL_HOME on a small tmpfs filled up
// mid-run. The answer log stops the run with one clear line, keeps what it wrote, and a resume
// after freeing space finishes without paying again for what was kept.

const { dir, cleanup } = tempDir('evalctl-storage-');
const home = join(dir, 'home');
let stub: Stub;
let mounted = false;

beforeAll(async () => {
  stub = await startStub({ latencyMs: 5 });
  mkdirSync(home);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', home], { stdio: 'ignore' });
    mounted = true;
  } catch {
    // Mounting needs root (CAP_SYS_ADMIN); CI and developer machines here have it.
  }
});

afterAll(async () => {
  await stub.close();
  if (mounted) execFileSync('umount', [home]);
  cleanup();
});

const ROWS = 400;
const text = (i: number) => `review ${i} ${'long words to make every answer line weigh about half a kilobyte '.repeat(4)}`;

describe('a full disk under EVALCTL_HOME', () => {
  it('stops the run with one line, keeps the answers written, and resume after freeing space finishes', async (context) => {
    if (!mounted) context.skip();
    writeFileSync(join(dir, 'in.csv'), `id,review\n${Array.from({ length: ROWS }, (_, i) => `${i},${text(i)}`).join('\n')}\n`);
    // Leave about 100 KB: the job starts, writes some answers, then runs out of space.
    writeFileSync(join(home, 'filler'), Buffer.alloc(150 * 1024));
    const env = stubEnv(stub, home);
    const first = await runCli(['create', 'in.csv', '-p', '{review}', '-o', 'out.csv', '--no-cache', '-c', '4'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(1);
    const errors = first.stderr.split('\n').filter((line) => line.startsWith('evalctl:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Cannot write .*answers\.jsonl \(the disk is full\); the run stopped\. Every answer written before is kept\./);
    expect(first.stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(dir)).not.toContain('out.csv');
    const paidFirst = stub.stats().paid;
    expect(paidFirst).toBeGreaterThan(20);
    expect(paidFirst).toBeLessThan(ROWS);

    rmSync(join(home, 'filler'));
    const [id] = readdirSync(join(home, 'jobs'));
    const status = await runCli(['status', id, '--json'], { cwd: dir, env });
    expect(JSON.parse(status.stdout).status).toBe('errored');
    const resumed = await runCli(['resume', id], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const rows = (await readTable(join(dir, 'out.csv'))).rows;
    expect(rows.map((r) => r.prediction)).toEqual(rows.map((_, i) => stubAnswer(text(i))));
    // Paid again at most: the answers that arrived but could not be written, and those in flight.
    expect(stub.stats().paid).toBeLessThanOrEqual(ROWS + 8);
  });
});
