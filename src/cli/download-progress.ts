import { say, type Terminal } from './render.js';

/** Downloads smaller than this finish before a progress line would help. */
const LARGE = 16 * 1024 * 1024;

/**
 * A download progress reporter for stderr: nothing for small files; for large ones a line
 * redrawn in place on a terminal (at most 5 times a second), else a plain line every few seconds.
 */
export function downloadProgress(t: Terminal): (received: number, total: number | null) => void {
  let last = 0;
  let drawn = false;
  return (received, total) => {
    if ((total ?? received) < LARGE) return;
    const now = performance.now();
    const done = total !== null && received >= total;
    if (!done && now - last < (t.tty ? 200 : t.lineIntervalMs)) return;
    last = now;
    const line = `downloading: ${megabytes(received)}${total !== null ? ` of ${megabytes(total)} (${Math.floor((received / total) * 100)}%)` : ''}`;
    if (t.tty) {
      t.err.write(`\r${line}\u001b[K${done ? '\n' : ''}`);
      drawn = !done;
    } else {
      say(t, line);
    }
    if (done && drawn) t.err.write('\n');
  };
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
