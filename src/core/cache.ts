import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase } from 'lmdb';
import type { Completion } from './providers/types.js';

/**
 * Responses on disk, keyed by everything that decides an answer: provider, endpoint, model,
 * system prompt, temperature, max tokens and the rendered prompt. LMDB: memory-mapped, safe
 * for several evalctl processes at once, and lookups are synchronous and cheap, so the
 * scheduler can answer cached rows without taking a concurrency slot.
 */
export class ResponseCache {
  private constructor(private readonly db: RootDatabase<Completion, string>) {}

  static async open(directory: string): Promise<ResponseCache> {
    mkdirSync(directory, { recursive: true });
    const { open } = await import('lmdb');
    return new ResponseCache(open<Completion, string>({ path: join(directory, 'responses.mdb'), compression: true }));
  }

  get(key: string): Completion | undefined {
    return this.db.get(key);
  }

  put(key: string, completion: Completion): void {
    void this.db.put(key, completion);
  }

  async close(): Promise<void> {
    await this.db.flushed;
    await this.db.close();
  }
}

/** A key prefix for one run's settings; `cacheKey` adds the prompt. */
export function cacheScope(parts: Record<string, unknown>): string {
  return JSON.stringify(parts);
}

export function cacheKey(scope: string, prompt: string): string {
  return createHash('sha256').update(scope).update('\0').update(prompt).digest('base64url');
}
