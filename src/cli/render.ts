import { variantLines } from './variant-table.js';
import type { JobRecord } from '../core/jobs.js';
import type { RunProgress } from '../core/run/progress.js';

/** Where and how the terminal output goes; tests and detached runs pass their own. */
export interface Terminal {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly color: boolean;
  /** Draw a live progress bar (stderr is a TTY) or print plain lines every few seconds. */
  readonly tty: boolean;
  /** Milliseconds between plain progress lines. */
  readonly lineIntervalMs: number;
}

export function terminal(env: NodeJS.ProcessEnv = process.env): Terminal {
  const tty = Boolean(process.stderr.isTTY) && env.CI !== 'true';
  return {
    out: process.stdout,
    err: process.stderr,
    tty,
    color: Boolean(process.stderr.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb' || Boolean(env.FORCE_COLOR && env.FORCE_COLOR !== '0'),
    lineIntervalMs: Number(env.EVALCTL_PROGRESS_INTERVAL_MS) || 5000,
  };
}

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
const CODES: Record<Style, [number, number]> = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] };

export function paint(t: Terminal, style: Style, text: string): string {
  return t.color ? `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m` : text;
}

export function say(t: Terminal, line: string): void {
  t.err.write(`${line}\n`);
}

export function printError(t: Terminal, message: string, hint?: string, stack?: string): void {
  say(t, `${paint(t, 'red', 'evalctl:')} ${message}`);
  if (hint) say(t, paint(t, 'dim', `  ${hint}`));
  if (stack) say(t, paint(t, 'dim', stack));
}

export function formatCost(cost: number | null): string {
  if (cost === null) return 'unknown';
  if (cost === 0) return '$0.00';
  return cost < 0.01 ? `$${cost.toFixed(6)}` : `$${cost.toFixed(4)}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const integer = new Intl.NumberFormat('en-US');

/** One line describing where a run is: used by plain (non-TTY) progress and `status`. */
export function progressLine(p: RunProgress, rate: number, costKnown: boolean): string {
  const percent = p.total ? Math.floor((p.processed / p.total) * 100) : 100;
  const eta = rate > 0 ? formatDuration((p.total - p.processed) / rate) : '?';
  const parts = [
    `${integer.format(p.processed)}/${integer.format(p.total)} rows (${percent}%)`,
    `${rate.toFixed(1)} rows/s`,
    `ETA ${eta}`,
    `${integer.format(p.promptTokens + p.completionTokens)} tokens`,
    costKnown ? formatCost(p.cost) : 'cost unknown',
  ];
  if (p.failed) parts.push(`${p.failed} failed`);
  const backoff = backoffNote(p);
  if (backoff) parts.push(backoff);
  return parts.join(', ');
}

/** `backing off: rate limited (429), retry in 0.8s, concurrency 4` while some row waits to retry. */
export function backoffNote(p: RunProgress): string | undefined {
  const left = p.backoff ? p.backoff.until - Date.now() : 0;
  if (!p.backoff || left <= 0) return undefined;
  return `backing off: ${p.backoff.reason}, retry in ${(left / 1000).toFixed(1)}s, concurrency ${p.concurrency}`;
}

/**
 * Shows a run's progress until the returned function is called: a cli-progress bar on a TTY
 * (redrawn on a timer, never per row), plain lines every few seconds otherwise. Never stdout.
 */
export async function showProgress(t: Terminal, progress: RunProgress, costKnown: boolean): Promise<() => void> {
  const started = performance.now();
  const startCount = progress.processed;
  const rate = () => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? (progress.processed - startCount) / seconds : 0;
  };
  if (!t.tty) {
    const timer = setInterval(() => say(t, `progress: ${progressLine(progress, rate(), costKnown)}`), t.lineIntervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    {
      stream: t.err as NodeJS.WriteStream,
      format: `{bar} {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {etaText} | {tokens} tok | {cost}{note}`,
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
      barsize: 24,
    },
    Presets.shades_classic,
  );
  const payload = () => {
    const r = rate();
    const backoff = backoffNote(progress);
    return {
      rate: r.toFixed(1),
      etaText: r > 0 ? formatDuration((progress.total - progress.processed) / r) : '?',
      tokens: integer.format(progress.promptTokens + progress.completionTokens),
      cost: costKnown ? formatCost(progress.cost) : 'cost ?',
      note: (progress.failed ? ` | ${progress.failed} failed` : '') + (backoff ? ` | ${backoff}` : ''),
    };
  };
  bar.start(progress.total, progress.processed, payload());
  const timer = setInterval(() => bar.update(progress.processed, payload()), 100);
  return () => {
    clearInterval(timer);
    bar.update(progress.processed, payload());
    bar.stop();
  };
}

/** The models of a job, for one line: `gpt-4o-mini`, or `gpt-4o-mini, claude-haiku-4-5`. */
export function modelsOf(job: JobRecord): string {
  return [...new Set(job.settings.variants.map((v) => v.model))].join(', ');
}

/** The end-of-run bill, on stderr: totals, then each variant side by side when there are several. */
export function printSummary(t: Terminal, job: JobRecord, wallSeconds: number): void {
  const { processed, total } = job.progress;
  const ok = processed - job.failed_rows;
  const several = job.variants.length > 1;
  const status = job.status === 'completed'
    ? paint(t, job.failed_rows ? 'yellow' : 'green', job.failed_rows ? 'completed with failures' : 'completed')
    : paint(t, job.status === 'errored' ? 'red' : 'yellow', job.status);
  say(t, `${paint(t, 'bold', `Job ${job.id}`)} ${status}`);
  say(t, `  ${several ? 'answers' : 'rows   '}    ${integer.format(ok)} done, ${integer.format(job.failed_rows)} failed${job.cached_rows ? `, ${integer.format(job.cached_rows)} from cache` : ''} (of ${integer.format(total)}${several ? `: ${integer.format(job.rows)} rows x ${job.variants.length} variants` : ''})`);
  say(t, `  tokens     ${integer.format(job.prompt_tokens_used)} prompt + ${integer.format(job.completion_tokens_used)} completion = ${integer.format(job.tokens_used)}`);
  const unpriced = job.variants.filter((v) => v.cost_usd === null).map((v) => v.model);
  say(t, `  cost       ${formatCost(job.cost_usd)}${unpriced.length ? ` (no price for ${unpriced.join(', ')}; add one under "pricing" in .evalrc)` : ''}${job.credits_used !== null ? ` (${job.credits_used.toFixed(4)} credits)` : ''}`);
  say(t, `  time       ${formatDuration(wallSeconds)}`);
  say(t, `  output     ${job.output}`);
  for (const line of variantLines(job)) say(t, `  ${line}`);
  if (job.error_message) say(t, `  ${paint(t, 'yellow', job.error_message)}`);
  if (job.failed_rows) say(t, paint(t, 'dim', `  Failed rows keep their place with the reason in ${job.settings.target_column}${several ? '_<variant>' : ''}_error; \`evalctl resume ${job.id}\` retries them.`));
}
