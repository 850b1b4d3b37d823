import { hash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase } from 'lmdb';
import { fileProblem } from './errors.js';
import type { Completion } from './providers/types.js';

/**
 * Responses on disk, keyed by everything that decides an answer: provider, endpoint, model,
 * system prompt, temperature, max tokens and the rendered prompt. LMDB: memory-mapped, safe
 * for several evalctl processes at once, and lookups are synchronous and cheap, so the
 * scheduler can answer cached rows without taking a concurrency slot.
 */
export class ResponseCache {
  private disabled = false;

  private constructor(
    private readonly db: RootDatabase<Completion, string>,
    private readonly onFailure: (message: string) => void,
  ) {}

  /**
   * Opens the cache, or returns undefined (after one warning through `onFailure`) when it
   * cannot be opened: the cache is optional, and a run goes on without it.
   */
  static async open(directory: string, onFailure: (message: string) => void): Promise<ResponseCache | undefined> {
    try {
      mkdirSync(directory, { recursive: true });
      const { open } = await import('lmdb');
      return new ResponseCache(open<Completion, string>({ path: join(directory, 'responses.mdb'), compression: true }), onFailure);
    } catch (error) {
      onFailure(`The response cache in ${directory} cannot be opened (${fileProblem(error)}); running without it.`);
      return undefined;
    }
  }

  get(key: string): Completion | undefined {
    if (this.disabled) return undefined;
    try {
      return this.db.get(key);
    } catch (error) {
      this.disable(error);
      return undefined;
    }
  }

  put(key: string, completion: Completion): void {
    if (this.disabled) return;
    // A write that fails (a full disk) turns the cache off for the rest of the run, with one
    // warning; the answer itself is safe in the job's answer log.
    this.db.put(key, completion).then(undefined, (error: unknown) => this.disable(error));
  }

  async close(): Promise<void> {
    try {
      await this.db.flushed;
      await this.db.close();
    } catch (error) {
      this.disable(error);
    }
  }

  private disable(error: unknown): void {
    if (this.disabled) return;
    this.disabled = true;
    this.onFailure(`The response cache cannot be written (${fileProblem(error)}); it is off for the rest of this run.`);
  }
}

/** A key prefix for one run's settings; `cacheKey` adds the prompt. */
export function cacheScope(parts: Record<string, unknown>): string {
  return JSON.stringify(parts);
}

export function cacheKey(scope: string, prompt: string): string {
  // One call instead of a Hash object per row (the same digest as hashing the parts in turn).
  return hash('sha256', `${scope}\0${prompt}`, 'base64url');
}
