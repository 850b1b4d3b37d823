// The viewer on a 1,000,000-row scored output: time to the first page (the API call, and the
// page rendered in Chromium) and the server's peak RSS. Run: node --import tsx bench/viewer.ts
// (build first: npx tsup). Prints the figures; nothing is asserted.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { chromium } from 'playwright-core';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'evalctl-bench-viewer-'));
const output = join(dir, 'scored.prediction.parquet');

async function generate(): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const labels = `['negative', 'neutral', 'positive']`;
  await connection.run(`COPY (
    SELECT i AS id, 'Review ' || i || ': ' || repeat('the product was fine, shipping slow. ', 1 + i % 4) AS review,
      ${labels}[1 + i % 3] AS label,
      CASE WHEN i % 50 = 0 THEN NULL WHEN i % 7 = 0 THEN 'not sure' ELSE ${labels}[1 + (i * 7 + i // 5) % 3] END AS prediction,
      CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'answered' END AS prediction_status,
      CASE WHEN i % 50 = 0 THEN 'HTTP 500 after 6 retries' END AS prediction_error,
      CASE WHEN i % 50 = 0 THEN NULL ELSE (i % 7 <> 0 AND ${labels}[1 + (i * 7 + i // 5) % 3] = ${labels}[1 + i % 3]) END AS prediction_correct,
      40 + i % 30 AS prediction_prompt_tokens, 1 + i % 3 AS prediction_completion_tokens
    FROM range(${ROWS}) t(i)) TO '${output}' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
}

function peakOf(pid: number): number {
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

async function main(): Promise<void> {
  let t = performance.now();
  await generate();
  console.log(`generated ${ROWS.toLocaleString('en-US')} rows in ${((performance.now() - t) / 1000).toFixed(1)} s: ${output}`);

  t = performance.now();
  const server = spawn(process.execPath, [join(root, 'bin/evalctl.js'), 'view', output, '--json'], { env: { ...process.env, EVALCTL_HOME: join(dir, 'home') }, stdio: ['ignore', 'pipe', 'inherit'] });
  let peak = 0;
  const poll = setInterval(() => { try { peak = Math.max(peak, peakOf(server.pid!)); } catch { /* exited */ } }, 50);
  const url: string = await new Promise((resolveUrl, reject) => {
    let text = '';
    server.stdout.on('data', (d) => { text += d; if (text.includes('\n')) resolveUrl(JSON.parse(text).url); });
    server.on('exit', (code) => reject(new Error(`view exited ${code}`)));
  });
  const started = performance.now() - t;
  try {
    await measure(url, started, server.pid!);
  } finally {
    server.kill('SIGTERM');
  }
  const code: number | null = await new Promise((r) => (server.exitCode !== null ? r(server.exitCode) : server.on('exit', (c) => r(c))));
  clearInterval(poll);
  console.log(`${'server peak RSS (VmHWM)'.padEnd(44)} ${peak.toFixed(0).padStart(6)} MB`);
  console.log(`server exit code on SIGTERM: ${code}`);
  rmSync(dir, { recursive: true, force: true });
}

async function measure(url: string, started: number, pid: number): Promise<void> {
  let t: number;
  const base = new URL(url).origin;
  const timed = async (path: string) => {
    const s = performance.now();
    const response = await fetch(`${base}${path}`);
    const body = await response.json();
    if (!response.ok) throw new Error(`${path}: ${body.error}`);
    return { ms: performance.now() - s, body };
  };
  const info = await timed('/api/jobs/file');
  const first = await timed('/api/jobs/file/rows?limit=50');
  const figures: [string, number][] = [['server up (URL printed)', started], ['job page data (opens the file)', info.ms], ['API page 1', first.ms]];
  for (const [label, path] of [
    ['API page 1 again', '/api/jobs/file/rows?limit=50'],
    ['API last page (offset 999,950)', `/api/jobs/file/rows?limit=50&offset=${ROWS - 50}`],
    ['API sorted by review desc', '/api/jobs/file/rows?limit=50&sort=review&dir=desc'],
    ['API incorrect + search', '/api/jobs/file/rows?limit=50&incorrect=1&q=shipping'],
    ['API truth=neutral, predicted=positive', '/api/jobs/file/rows?limit=50&truth=neutral&predicted=positive'],
  ] as const) figures.push([label, (await timed(path)).ms]);

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage();
  // The page load: the HTML, the job page's data and page 1 (the table is open already).
  t = performance.now();
  await page.goto(url);
  await page.waitForSelector('#app[data-ready="true"] [data-testid=rows] tbody tr');
  figures.push(['Chromium: page load to first rows rendered', performance.now() - t]);
  t = performance.now();
  await page.click('[data-testid=next]');
  await page.waitForFunction(() => document.querySelector('[data-testid=rows] tbody tr')?.getAttribute('data-row') === '50');
  figures.push(['Chromium: next page', performance.now() - t]);
  await browser.close();
  for (const [label, ms] of figures) console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms`);
  console.log(`${'server RSS after these queries'.padEnd(44)} ${(Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024).toFixed(0).padStart(6)} MB`);
}

await main();
