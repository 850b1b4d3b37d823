// The project's stub LLM server (test/stub/main.ts) in its own process, with its control API.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { REPO } from './paths.js';

/** The stub's /__stats, the fields the bench checks. */
export interface StubCounts {
  requests: number;
  paid: number;
  duplicates: number;
  dropped: number;
  maxInFlight: number;
  byStatus: Record<string, number>;
}

export interface StubProcess {
  url: string;
  pid: number;
  reset(): Promise<void>;
  stats(): Promise<StubCounts>;
  stop(): Promise<void>;
}

/** Starts the stub (`latencyMs` before each answer) and waits for its URL. */
export async function startStubProcess(latencyMs: number): Promise<StubProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/stub/main.ts', '--latency', String(latencyMs)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then(([code]) => { throw new Error(`stub exited (code ${code}) before printing its URL`); }),
  ]);
  lines.close();
  const { url } = JSON.parse(first) as { url: string };
  const call = async (method: string, path: string) => {
    const response = await fetch(url + path, { method });
    if (!response.ok) throw new Error(`stub ${method} ${path}: ${response.status}`);
    return response.json();
  };
  return {
    url,
    pid: child.pid!,
    reset: async () => { await call('POST', '/__reset'); },
    // prompts=0: no per-prompt map in the answer (1M entries would be huge); `duplicates` still counts.
    stats: async () => {
      const { requests, paid, duplicates, dropped, maxInFlight, byStatus } = (await call('GET', '/__stats?prompts=0')) as StubCounts;
      return { requests, paid, duplicates, dropped, maxInFlight, byStatus };
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
