import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/evalctl.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI (`bin/evalctl.js`, built `dist/`) as a child process. The environment is
 * clean of real provider settings: no API keys or base URLs leak in from the developer's shell,
 * and state goes to `EVALCTL_HOME`, else to `<cwd>/.state` and `<cwd>/.cache` (see `hermetic`),
 * never to the developer's own state and cache folders.
 */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: cleanEnv({ ...hermetic(options.cwd), ...options.env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Starts the CLI without waiting, for tests that signal or kill it mid-run. */
export function startCli(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cleanEnv({ ...hermetic(options.cwd), ...options.env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const done = new Promise<CliResult>((resolvePromise) => {
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(OPENAI_|ANTHROPIC_|EVALCTL_|XDG_STATE_HOME$|XDG_CACHE_HOME$)/.test(key) || key === 'FORCE_COLOR' || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  env.CI = 'true';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Per-user state and cache folders inside the test's working directory. */
export function hermetic(cwd: string): Record<string, string> {
  return { XDG_STATE_HOME: join(cwd, '.state'), XDG_CACHE_HOME: join(cwd, '.cache') };
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'evalctl-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
