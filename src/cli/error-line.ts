import { CommanderError } from 'commander';
import { EvalctlError, ExitCode } from '../core/errors.js';
import { redactKeys } from '../core/redact.js';
import { printError, type Terminal } from './render.js';

// Errors as the person who hit them reads them: one line, a hint, keys masked, an exit code.

/**
 * Commander's error text as one sentence: `error: option '-c, --concurrency <n>' argument '0' is
 * invalid. Must be ...` -> `--concurrency "0" is not valid: must be ...`; a suggestion joins the line.
 * Commander echoes what was typed, so values are masked: `--api-key=...` of an unknown option,
 * and anything that looks like a key or is the value of OPENAI_API_KEY / ANTHROPIC_API_KEY.
 */
export function usageMessage(text: string, env: NodeJS.ProcessEnv = {}): string {
  return redactKeys(commanderSentence(text), env);
}

function commanderSentence(text: string): string {
  const [first, ...rest] = text.trim().replace(/^error: /, '').replace(/^(unknown option '[^'=]+)=[^']*'/, "$1=***'").split('\n');
  const invalid = /^option '(?:-\w, )?(-[^ ']+)[^']*' argument '(.*)' is invalid\. (.*)$/.exec(first);
  const missing = /^option '(?:-\w, )?(-[^ ']+)[^']*' argument missing$/.exec(first);
  let message = invalid ? `${invalid[1]} "${invalid[2]}" is not valid: ${lowerFirst(invalid[3])}`
    : missing ? `${missing[1]} needs a value.`
    : first.replace(/([^.?!])$/, '$1.');
  const suggestion = rest.map((line) => /^\((Did you mean .*\?)\)$/.exec(line.trim())?.[1]).find(Boolean);
  if (suggestion) message = `${message.replace(/\.$/, '')}. ${suggestion}`;
  return message.charAt(0).toUpperCase() + message.slice(1);
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/** The exit code for `error`, its message printed as one line (and a hint; the stack with --verbose). */
export function handleError(t: Terminal, error: unknown, verbose: boolean, env: NodeJS.ProcessEnv): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are not errors.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.Ok;
    return ExitCode.Usage;
  }
  // Servers can echo a key back in an error; no key value ever reaches the terminal.
  const clean = (text: string | undefined) => text === undefined ? undefined : redactKeys(text, env);
  if (error instanceof EvalctlError) {
    printError(t, clean(error.message.split('\n')[0])!, clean(error.hint), verbose ? clean(stackOf(error)) : undefined);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(t, clean(`unexpected error: ${message.split('\n')[0]}`)!, verbose ? undefined : 'Run again with --verbose for details.', verbose ? clean(stackOf(error)) : undefined);
  return ExitCode.Fatal;
}

function stackOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = error.cause instanceof Error ? `\ncaused by: ${error.cause.stack}` : '';
  return `${error.stack}${cause}`;
}
