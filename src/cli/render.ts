import { variantLines } from './variant-table.js';
import { formatCost, formatCount, formatDuration, jobStatusText, resumeCommand } from './format.js';
import type { JobRecord } from '../core/jobs.js';
import type { RunProgress } from '../core/run/progress.js';

/** Where and how the terminal output goes; tests and detached runs pass their own. */
export interface Terminal {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Escape codes on stderr (messages, progress, summary). */
  readonly color: boolean;
  /** Escape codes on stdout (`status`, `list`): decided apart, so `status > file` stays plain. */
  readonly outColor: boolean;
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
    color: colorFor(process.stderr, env),
    outColor: colorFor(process.stdout, env),
    lineIntervalMs: Number(env.EVALCTL_PROGRESS_INTERVAL_MS) || 5000,
  };
}

/**
 * Colour for one stream: FORCE_COLOR (any value but 0/false) forces it on, FORCE_COLOR=0 off;
 * else NO_COLOR (any non-empty value, no-color.org) or TERM=dumb turn it off; else the stream
 * must be a terminal.
 */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !/^(0|false)$/i.test(force);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

/** The same terminal, painting for stdout: pass it to `paint` for text written to `t.out`. */
export function onStdout(t: Terminal): Terminal {
  return { ...t, color: t.outColor };
}

/** Cuts a line to the width of a terminal stream (no cut when it is not a terminal). */
export function fitWidth(stream: { isTTY?: boolean; columns?: number }, line: string): string {
  const width = stream.isTTY ? stream.columns ?? 0 : 0;
  if (width <= 0 || visibleLength(line) <= width) return line;
  let seen = 0;
  let out = '';
  for (const part of line.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith('\u001b[')) { out += part; continue; }
    const room = width - 1 - seen;
    if (room <= 0) continue;
    out += part.slice(0, room);
    seen += Math.min(part.length, room);
  }
  // A reset after the cut, in case it fell inside a coloured stretch.
  return `${out}…${line.includes('\u001b[') ? '\u001b[0m' : ''}`;
}

function visibleLength(line: string): number {
  return line.replace(/\u001b\[[0-9;]*m/g, '').length;
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

export { formatCost, formatDuration } from './format.js';

/**
 * One line describing where a run is: used by plain (non-TTY) progress and `status`. Without a
 * rate (a job that has stopped) it leaves out the rate and ETA, which would be stale.
 */
export function progressLine(p: RunProgress, rate: number | undefined, costKnown: boolean): string {
  const percent = p.total ? Math.floor((p.processed / p.total) * 100) : 100;
  const parts = [`${formatCount(p.processed)}/${formatCount(p.total)} rows (${percent}%)`];
  if (rate !== undefined) parts.push(`${rate.toFixed(1)} rows/s`, `ETA ${rate > 0 ? formatDuration((p.total - p.processed) / rate) : '?'}`);
  parts.push(`${formatCount(p.promptTokens + p.completionTokens)} tokens`, costKnown ? formatCost(p.cost) : 'cost unknown');
  if (p.failed) parts.push(`${formatCount(p.failed)} failed`);
  if (p.cached) parts.push(reusedText(p.cached, p.deduplicated));
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
 * Stopping clears the bar's line, so whatever is printed next (the summary, a Ctrl-C notice)
 * starts on a clean line.
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
      clearOnComplete: true,
      fps: 10,
      // The text around the bar takes about 90 columns; the bar gets what is left (10 to 24).
      barsize: Math.max(10, Math.min(24, (t.err.columns ?? 120) - 90)),
    },
    Presets.shades_classic,
  );
  const payload = () => {
    const r = rate();
    const backoff = backoffNote(progress);
    return {
      rate: r.toFixed(1),
      etaText: r > 0 ? formatDuration((progress.total - progress.processed) / r) : '?',
      tokens: formatCount(progress.promptTokens + progress.completionTokens),
      cost: costKnown ? formatCost(progress.cost) : 'cost ?',
      note: (progress.failed ? ` | ${formatCount(progress.failed)} failed` : '') + (progress.cached ? ` | ${formatCount(progress.cached)} reused` : '') + (backoff ? ` | ${backoff}` : ''),
    };
  };
  bar.start(progress.total, progress.processed, payload());
  const timer = setInterval(() => bar.update(progress.processed, payload()), 100);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    bar.update(progress.processed, payload());
    bar.stop();
  };
}

/** The models of a job, for one line: `gpt-4o-mini`, or `gpt-4o-mini, claude-haiku-4-5`. */
export function modelsOf(job: JobRecord): string {
  return [...new Set(job.settings.variants.map((v) => v.model))].join(', ');
}

/** Rows answered without a request: a cache hit, or a prompt identical to one sent in this run (temperature 0). */
/** `5 from the cache, 6 repeated prompts`: rows that cost nothing, by why. */
export function reusedText(cached: number, deduplicated = 0): string {
  const parts: string[] = [];
  if (cached - deduplicated > 0) parts.push(`${formatCount(cached - deduplicated)} from the cache`);
  if (deduplicated > 0) parts.push(`${formatCount(deduplicated)} repeated prompt${deduplicated === 1 ? '' : 's'} (sent once)`);
  return parts.join(', ');
}

/** The end-of-run bill, on stderr: totals, then each variant side by side when there are several. */
export function printSummary(t: Terminal, job: JobRecord, wallSeconds: number): void {
  const { processed, total } = job.progress;
  const ok = processed - job.failed_rows;
  const several = job.variants.length > 1;
  const status = jobStatusText(job);
  say(t, `${paint(t, 'bold', `Job ${job.id}`)} ${paint(t, status.style, status.text)}`);
  say(t, `  ${several ? 'answers' : 'rows   '}    ${formatCount(ok)} done, ${formatCount(job.failed_rows)} failed${job.cached_rows ? `, ${reusedText(job.cached_rows, job.deduplicated_rows)}` : ''} (of ${formatCount(total)}${several ? `: ${formatCount(job.rows)} rows x ${job.variants.length} variants` : ''})`);
  say(t, `  tokens     ${formatCount(job.prompt_tokens_used)} prompt + ${formatCount(job.completion_tokens_used)} completion = ${formatCount(job.tokens_used)}`);
  const unpriced = job.variants.filter((v) => v.cost_usd === null).map((v) => v.model);
  say(t, `  cost       ${formatCost(job.cost_usd)}${unpriced.length ? ` (no price for ${unpriced.join(', ')}; add one under "pricing" in .evalrc)` : ''}${job.credits_used !== null ? ` (${job.credits_used.toFixed(4)} credits)` : ''}`);
  say(t, `  time       ${formatDuration(wallSeconds)}`);
  say(t, `  output     ${job.output}`);
  for (const line of variantLines(job)) say(t, `  ${line}`);
  if (job.error_message) say(t, `  ${paint(t, 'yellow', job.error_message)}`);
  if (job.stop_reason === 'budget') say(t, paint(t, 'dim', `  Finish it with \`${resumeCommand(job)}\` (the spend so far, projected over every row, plus a margin).`));
  else if (job.failed_rows) say(t, paint(t, 'dim', `  Failed rows keep their place with the reason in ${job.settings.target_column}${several ? '_<variant>' : ''}_error; \`evalctl resume ${job.id}\` retries them.`));
}
