/**
 * Expected failures: each has a stable `code`, a message written for the person who hit it,
 * and an optional `hint` saying what to do. The CLI prints `message` (and `hint`) on one line
 * each and exits with `exitCode`; anything that is not an EvalctlError is a bug and gets the
 * generic treatment (and a stack trace with --verbose).
 */
export class EvalctlError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, options: { code: string; hint?: string; exitCode?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'EvalctlError';
    this.code = options.code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.Fatal;
  }
}

/** Process exit codes, documented in the README. */
export const ExitCode = {
  /** Every row has an answer. */
  Ok: 0,
  /** The run stopped (or never started): bad input, config, auth, unreachable server, crash. */
  Fatal: 1,
  /** The command line itself is wrong: unknown flag, bad flag value. */
  Usage: 2,
  /** The run finished but some rows failed after retries; they carry `<target>_error`. */
  RowsFailed: 3,
  /** The run stopped at the --max-cost budget; resumable. */
  Budget: 4,
  /** A --fail-under threshold was missed (the metric is below it, or could not be computed). */
  GateFailed: 5,
  /** Cancelled by Ctrl-C, SIGTERM or `evalctl cancel`; resumable. */
  Cancelled: 130,
} as const;

/** A flag, config value or combination of them is invalid. */
export class UsageError extends EvalctlError {
  constructor(message: string, hint?: string) {
    super(message, { code: 'usage', hint, exitCode: ExitCode.Usage });
    this.name = 'UsageError';
  }
}

/** A config file or EVALCTL_* variable is invalid (exit 1: the command line itself is fine). */
export class ConfigError extends EvalctlError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { code: 'config', hint, cause });
    this.name = 'ConfigError';
  }
}

/** The input table cannot be read or does not fit the prompt. */
export class InputError extends EvalctlError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { code: 'input', hint, cause });
    this.name = 'InputError';
  }
}

/** The provider refused the whole run: bad key, unknown model, a request it will never accept. */
export class ProviderError extends EvalctlError {
  readonly status?: number;
  constructor(message: string, options: { hint?: string; status?: number; cause?: unknown } = {}) {
    super(message, { code: 'provider', hint: options.hint, cause: options.cause });
    this.name = 'ProviderError';
    this.status = options.status;
  }
}

/** Anything about the job store: unknown id, a job in the wrong state for the command. */
export class JobError extends EvalctlError {
  constructor(message: string, hint?: string) {
    super(message, { code: 'job', hint });
    this.name = 'JobError';
  }
}

/** The text of an unknown thrown value, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A file evalctl must write (the answer log, the job record, the output) cannot be written. */
export class StorageError extends EvalctlError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { code: 'storage', hint, cause });
    this.name = 'StorageError';
  }
}

/** Why a file operation failed, in words: `the disk is full`, `permission denied`. */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC': return 'the disk is full';
    case 'EDQUOT': return 'the disk quota is used up';
    case 'EROFS': return 'the file system is read-only';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is a file, not a directory';
    case 'EISDIR': return 'it is a directory';
    case 'ENOENT': return 'it does not exist';
    case 'EIO': return 'an I/O error';
    default: return code ? `${code}` : messageOf(error);
  }
}
