// Runs the built CLI as a child process and watches it from outside: wall time, RSS and peak RSS
// from /proc/<pid>/status, and rows processed from the job record the CLI rewrites (~250 ms).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BIN, REPO } from './paths.js';

/** One poll of the child. */
export interface Sample {
  /** ms since spawn */
  t: number;
  rssMB: number;
  hwmMB: number;
  processed: number;
  status: string;
}

/** process.memoryUsage() in MB, sampled inside the child by the preloaded hook. */
export interface HeapSample {
  t: number;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  arrayBuffersMB: number;
}

export interface ChildRun {
  code: number | null;
  signal: string | null;
  wallMs: number;
  samples: Sample[];
  /** VmHWM at exit (from the preloaded hook), else the largest polled VmHWM */
  peakRssMB: number;
  /** user + system CPU time of the whole process (from the preloaded hook); null without it */
  cpuMs: number | null;
  /** process.memoryUsage() inside the child every 500 ms (when `heapFile` was given) */
  heap: HeapSample[];
  /** the job record at the end */
  job: Record<string, any> | null;
  /** ms from spawn to the job's started_at, and from there to status `committing` (±poll) */
  startupMs: number | null;
  sendMs: number | null;
  stderr: string;
}

export interface ChildOptions {
  args: string[];
  env: Record<string, string>;
  /** EVALCTL_HOME of the run (its single job is polled) */
  home: string;
  /** extra node flags, e.g. --cpu-prof */
  nodeFlags?: string[];
  pollMs?: number;
  /** file the peak-RSS hook writes to; omitted: no hook */
  peakFile?: string;
  /** file the hook appends process.memoryUsage() lines to (needs peakFile too) */
  heapFile?: string;
}

const HOOK = resolve(REPO, 'bench/peak-rss-hook.mjs');

/** The environment for a measured run: the parent's, minus any real provider settings. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(OPENAI_|ANTHROPIC_|EVALCTL_|NODE_OPTIONS$)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

function procStatus(pid: number): { rssMB: number; hwmMB: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { rssMB: kB('VmRSS') / 1024, hwmMB: kB('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

function readJob(home: string): Record<string, any> | null {
  try {
    const jobs = join(home, 'jobs');
    const [id] = readdirSync(jobs);
    return id ? JSON.parse(readFileSync(join(jobs, id, 'job.json'), 'utf8')) : null;
  } catch {
    return null; // not created yet, or caught mid-replace
  }
}

/** Spawns `node [flags] bin/evalctl.js <args>` and samples it every `pollMs` until it exits. */
export function runEvalctl(options: ChildOptions): Promise<ChildRun> {
  const pollMs = options.pollMs ?? 200;
  const hook = options.peakFile ? ['--import', HOOK] : [];
  const env = options.peakFile
    ? { ...options.env, BENCH_PEAK_FILE: options.peakFile, ...(options.heapFile ? { BENCH_HEAP_FILE: options.heapFile } : {}) }
    : options.env;
  const spawnedAt = Date.now();
  const start = performance.now();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...hook, BIN, ...options.args], {
    cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-20_000); });
  const samples: Sample[] = [];
  let processed = 0;
  let status = 'starting';
  let commitAt: number | null = null;
  let job: Record<string, any> | null = null;
  const poll = () => {
    const t = performance.now() - start;
    const mem = procStatus(child.pid!);
    job = readJob(options.home) ?? job;
    if (job) { processed = job.progress?.processed ?? processed; status = job.status; }
    if (commitAt === null && (status === 'committing' || status === 'completed')) commitAt = Date.now();
    if (mem) samples.push({ t: Math.round(t), rssMB: round(mem.rssMB), hwmMB: round(mem.hwmMB), processed, status });
  };
  const timer = setInterval(poll, pollMs);
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    let wallMs = 0;
    child.on('exit', () => { wallMs = performance.now() - start; clearInterval(timer); });
    child.on('close', (code, signal) => {
      const finalJob = readJob(options.home) ?? job;
      let peak = Math.max(0, ...samples.map((s) => s.hwmMB));
      if (options.peakFile && existsSync(options.peakFile)) {
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(options.peakFile, 'utf8'))?.[1];
        if (hwm) peak = round(Number(hwm) / 1024);
      }
      const cpu = options.peakFile && existsSync(options.peakFile) ? /Cpu: (\d+) (\d+)/.exec(readFileSync(options.peakFile, 'utf8')) : null;
      const startedAt = finalJob?.started_at ? Date.parse(finalJob.started_at) : null;
      const heap = options.heapFile && existsSync(options.heapFile)
        ? readFileSync(options.heapFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HeapSample)
        : [];
      resolvePromise({
        code, signal, wallMs, samples, heap, peakRssMB: peak, job: finalJob, cpuMs: cpu ? Number(cpu[1]) + Number(cpu[2]) : null,
        startupMs: startedAt === null ? null : startedAt - spawnedAt,
        // Fast commits can fall between two polls: then the job's completed_at bounds it.
        sendMs: startedAt === null ? null : (commitAt ?? (finalJob?.completed_at ? Date.parse(finalJob.completed_at) : NaN)) - startedAt || null,
        stderr,
      });
    });
  });
}

const round = (x: number) => Math.round(x * 10) / 10;
