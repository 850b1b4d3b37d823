import { readFileSync } from 'node:fs';

/**
 * Follows a process's peak resident memory (VmHWM in /proc/<pid>/status, Linux) until it exits.
 * `stop()` returns the highest value seen, in MB; read it before the process is reaped, or
 * rely on the last poll (VmHWM only grows, so polling every `intervalMs` loses little).
 */
export function watchPeakRss(pid: number, intervalMs = 50): { stop(): number } {
  let peakKb = 0;
  const poll = () => {
    try {
      const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // The process has exited; keep the last reading.
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      return peakKb / 1024;
    },
  };
}
