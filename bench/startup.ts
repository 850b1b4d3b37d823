// `evalctl --help` start-up time: spawn to exit of the built CLI, median of n runs after a warm-up,
// next to `node -e 0` (Node's own floor on this machine).
import { spawnSync } from 'node:child_process';
import { BIN, REPO } from './paths.js';

export interface StartupResult {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  nodeFloorMedianMs: number;
  ok: boolean;
}

function timeSpawn(args: string[]): { ms: number; ok: boolean } {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  return { ms: performance.now() - start, ok: result.status === 0 && result.stdout.toString().includes('Usage') };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

export function measureStartup(runs = 20): StartupResult {
  timeSpawn([BIN, '--help']); // warm the file cache
  // Interleaved, so a change in the machine's load touches both alike.
  const help: { ms: number; ok: boolean }[] = [];
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    help.push(timeSpawn([BIN, '--help']));
    floor.push(timeSpawn(['-e', 'console.log("Usage")']).ms);
  }
  const ms = help.map((h) => h.ms);
  return {
    runs, medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms),
    nodeFloorMedianMs: median(floor), ok: help.every((h) => h.ok),
  };
}
