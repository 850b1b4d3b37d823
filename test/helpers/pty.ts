import { spawn } from 'node:child_process';
import { BIN, cleanEnv, hermetic, type CliResult } from './cli.js';

/** Quotes one word for `sh`. */
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * Starts the CLI on a pseudo-terminal of `columns` columns, through util-linux `script` (in every
 * Debian/Ubuntu image and on CI runners): stdin, stdout and stderr are the terminal unless
 * `stdoutTo` sends stdout to a file. What the terminal showed comes back as `stdout`, escape
 * codes and all (with `\r\n` line ends); `type` sends keys, so "\x03" is a real Ctrl-C.
 * The environment is `cleanEnv`'s without NO_COLOR and CI, as on a developer's machine.
 */
export function startPty(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; columns?: number; stdoutTo?: string }) {
  const command = `stty cols ${options.columns ?? 120} rows 40; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}${options.stdoutTo ? ` > ${quote(options.stdoutTo)}` : ''}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: options.cwd,
    env: cleanEnv({ ...hermetic(options.cwd), NO_COLOR: undefined, CI: undefined, TERM: 'xterm-256color', ...options.env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  // Keys typed after the CLI has exited (a test typing on while the program already answered
  // and quit) would raise EPIPE on the closed terminal: they reach no one, so they are dropped.
  child.stdin.on('error', () => undefined);
  const type = (keys: string) => { if (child.exitCode === null && child.signalCode === null && child.stdin.writable) child.stdin.write(keys); };
  return { child, done, output: () => stdout, type };
}

/** Runs the CLI on a pseudo-terminal to the end (see `startPty`). */
export function runPty(args: string[], options: Parameters<typeof startPty>[1]): Promise<CliResult> {
  const run = startPty(args, options);
  return run.done;
}

/** Text without escape codes. */
export const plain = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

/**
 * The lines a terminal would show for `text`, as far as single-line drawing goes: carriage
 * returns, save/restore cursor (ESC 7 / ESC 8), column moves (CSI n G) and line erases (CSI K,
 * CSI 2K) are applied; other escape codes are dropped. Enough to see what a redrawn progress
 * bar left on screen.
 */
export function screenLines(text: string): string[] {
  return text.split('\n').map((raw) => {
    let line: string[] = [];
    let column = 0;
    let saved = 0;
    const pattern = /\u001b\[([0-9;?]*)([A-Za-z])|\u001b([78])|(\r)|([^\u001b\r])/gu;
    for (const [, params, command, saveRestore, carriageReturn, character] of raw.matchAll(pattern)) {
      if (carriageReturn) column = 0;
      else if (saveRestore) { if (saveRestore === '7') saved = column; else column = saved; }
      else if (command === 'G') column = Math.max(0, Number(params || 1) - 1);
      else if (command === 'K') line = params === '2' ? [] : params === '1' ? line.map((c, i) => (i <= column ? ' ' : c)) : line.slice(0, column);
      else if (character) { while (line.length < column) line.push(' '); line[column] = character; column += 1; }
    }
    return line.join('').trimEnd();
  });
}
