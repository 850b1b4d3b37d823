import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startStub, type Stub, type StubOptions } from '../stub/server.js';
import { runCli, tempDir, type CliResult } from './cli.js';
import { stubEnv, WIRE_MODEL, type Wire } from './create.js';
import { PROMPT, promptFor, reviewsCsv } from './jobs.js';

/** One test's world: a stub with its faults, a fresh directory, and an `id,review` CSV in it. */
export interface Bench {
  readonly stub: Stub;
  readonly root: string;
  readonly input: string;
  readonly home: string;
  /** `promptFor(i)` for every row. */
  readonly prompts: string[];
  /** The environment pointing the CLI at this stub over `wire`. */
  env(wire?: Wire): Record<string, string>;
  /** `evalctl create <input> -p PROMPT -m <wire's model> -t answer ...args`. */
  run(args: string[], options?: { wire?: Wire; env?: Record<string, string> }): Promise<CliResult>;
}

/**
 * Makes benches under one temp directory and closes every stub (and the directory) at the end:
 * `const benches = benchFactory(); afterAll(benches.close); const b = await benches.make(10, { rate429: 0.2 });`
 */
export function benchFactory() {
  const { dir, cleanup } = tempDir();
  const stubs: Stub[] = [];
  let n = 0;
  return {
    async make(rows: number, options: StubOptions = {}): Promise<Bench> {
      const stub = await startStub(options);
      stubs.push(stub);
      const root = join(dir, `t${++n}`);
      mkdirSync(root);
      const input = await reviewsCsv(root, 'reviews.csv', rows);
      const home = join(root, 'home');
      const env = (wire: Wire = 'openai') => stubEnv(stub, wire, home);
      return {
        stub, root, input, home, env,
        prompts: Array.from({ length: rows }, (_, i) => promptFor(i)),
        run: (args, options = {}) => runCli(['create', input, '-p', PROMPT, '-m', WIRE_MODEL[options.wire ?? 'openai'], '-t', 'answer', ...args], {
          cwd: root, env: { ...env(options.wire), ...options.env }, timeoutMs: 120_000,
        }),
      };
    },
    async close(): Promise<void> {
      await Promise.all(stubs.map((stub) => stub.close()));
      cleanup();
    },
  };
}

/** The `evalctl: ...` error lines of a run's stderr. */
export const errorLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('evalctl:'));
