import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const EDGE = 64 * 1024;

/**
 * Identifies a source file's content cheaply: size, modification time, and a hash of its first
 * and last 64 KiB. `resume` refuses a job whose source no longer matches.
 */
export function fingerprintFile(path: string): { size: number; mtime_ms: number; fingerprint: string } {
  const stats = statSync(path);
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(EDGE, stats.size));
    hash.update(buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)));
    if (stats.size > EDGE) {
      const tail = Buffer.alloc(Math.min(EDGE, stats.size - EDGE));
      hash.update(tail.subarray(0, readSync(fd, tail, 0, tail.length, stats.size - tail.length)));
    }
  } finally {
    closeSync(fd);
  }
  hash.update(String(stats.size));
  return { size: stats.size, mtime_ms: Math.round(stats.mtimeMs), fingerprint: hash.digest('hex').slice(0, 32) };
}
