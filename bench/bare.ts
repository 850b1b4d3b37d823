// Runs bench/bare-loop.ts in its own process and returns its result line.
import { spawn } from 'node:child_process';
import type { BareLoopResult } from './bare-loop.js';
import { REPO } from './paths.js';

export function runBareLoop(options: { url: string; file: string; prompt: string; concurrency: number; client: 'http' | 'fetch'; model: string }): Promise<BareLoopResult> {
  const args = ['--import', 'tsx', 'bench/bare-loop.ts', '--url', options.url, '--file', options.file, '--prompt', options.prompt,
    '--concurrency', String(options.concurrency), '--client', options.client, '--model', options.model];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bare loop (${options.client}) exited ${code}: ${stderr.slice(-2000)}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as BareLoopResult);
    });
  });
}
