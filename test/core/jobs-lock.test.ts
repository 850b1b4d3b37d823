import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobError } from '../../src/core/errors.js';
import { JobStore } from '../../src/core/jobs.js';
import { tempDir } from '../helpers/cli.js';

const { dir, cleanup } = tempDir('evalctl-lock-');
afterAll(cleanup);

function storeWithJob(): { store: JobStore; id: string } {
  const store = new JobStore(join(dir, `home-${Math.random().toString(36).slice(2)}`));
  const now = new Date().toISOString();
  const job = store.create({
    name: null, status: 'queued', source: { path: '/x.csv', size: 1, mtime_ms: 0, fingerprint: 'f' }, output: '/x.out.csv',
    settings: { schema_version: 2, variants: [] } as never, progress: { processed: 0, total: 1 }, rows: 1, variants: [], failed_rows: 0, cached_rows: 0,
    prompt_tokens_used: 0, completion_tokens_used: 0, tokens_used: 0, cost_usd: 0, credits_used: null,
    created_at: now, started_at: null, completed_at: null, cancelled_at: null, updated_at: now,
    error_message: null, stop_reason: null, pid: null,
  });
  return { store, id: job.id };
}

describe('JobStore.lockRun', () => {
  it('refuses a second runner while the first holds the lock, and frees it on release', () => {
    const { store, id } = storeWithJob();
    const lockPath = join(store.paths(id).dir, 'run.lock');
    const release = store.lockRun(id);
    // Another live process holding the lock: pretend the lock is the test runner's parent's.
    writeFileSync(lockPath, String(process.ppid));
    expect(() => store.lockRun(id)).toThrow(JobError);
    expect(() => store.lockRun(id)).toThrow(/already being run by process/);
    writeFileSync(lockPath, String(process.pid));
    release();
    const again = store.lockRun(id);
    again();
  });

  it('takes over a lock left by a process that is gone', async () => {
    const { store, id } = storeWithJob();
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    writeFileSync(join(store.paths(id).dir, 'run.lock'), String(pid));
    const release = store.lockRun(id);
    release();
  });
});
