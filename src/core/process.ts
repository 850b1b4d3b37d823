import { readFileSync } from 'node:fs';

/**
 * A process as a job store remembers it: its pid and, where the system tells, when it started,
 * so a pid reused by another process after a crash is not taken for the job's.
 */
export interface ProcessId {
  readonly pid: number;
  /** Start time in clock ticks since boot (Linux /proc); null where unknown. */
  readonly started: string | null;
}

/** This process. */
export function thisProcess(): ProcessId {
  return { pid: process.pid, started: startTime(process.pid) };
}

/** `1234` or `1234 98765` (pid and start time), as the store writes it in pid files. */
export function formatProcess(id: ProcessId): string {
  return id.started === null ? String(id.pid) : `${id.pid} ${id.started}`;
}

export function parseProcess(text: string): ProcessId | null {
  const [pid, started] = text.trim().split(/\s+/);
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 ? { pid: n, started: started ?? null } : null;
}

/**
 * Whether the process is still running: signal 0 reaches it, it is not a zombie, and (when
 * the start time is known on both sides) it is the same process, not another that got the pid.
 */
export function processAlive(pid: number, started: string | null = null): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat === undefined) return true;
  if (stat.state === 'Z') return false;
  return started === null || stat.started === started;
}

function startTime(pid: number): string | null {
  return procStat(pid)?.started ?? null;
}

/**
 * State and start time from /proc/<pid>/stat (Linux). The command name may hold spaces and
 * parentheses, so fields are counted after the last ')': state is field 3, starttime field 22.
 * A killed background job stays a zombie until its new parent reaps it; signal 0 still reaches it.
 */
function procStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], started: fields[19] };
  } catch {
    return undefined;
  }
}
