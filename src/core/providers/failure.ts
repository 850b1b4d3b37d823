import { ResponseError } from './response.js';
import type { Failure, FailureKind } from './types.js';

/** The error classes both official SDKs export under the same names. */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => Error & { status?: number; headers?: Headers | undefined };
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
}

/**
 * Normalizes an SDK error by its class (never by message text). `sdk` undefined: the SDK is not
 * loaded (see `loadOpenAI`), so the error cannot be one of its classes.
 */
export function classifySdkError(error: unknown, sdk: SdkErrorClasses | undefined, provider: string): Failure {
  if (error instanceof ResponseError) return { kind: error.kind, message: error.message };
  if (!sdk) return plainFailure(error);
  if (error instanceof sdk.APIUserAbortError) return { kind: 'aborted', message: 'request aborted' };
  if (error instanceof sdk.APIConnectionTimeoutError) return { kind: 'timeout', message: 'request timed out' };
  if (error instanceof sdk.APIConnectionError) {
    return { kind: 'connection', message: `connection to ${provider} failed (${connectionDetail(error)})` };
  }
  if (error instanceof sdk.APIError && typeof error.status === 'number') {
    const status = error.status;
    // OpenAI answers an exhausted balance with a 429 too; waiting will not help.
    const code = (error as { code?: unknown }).code;
    const kind = status === 429 && code === 'insufficient_quota' ? 'quota' : kindForStatus(status);
    return { kind, status, retryAfterMs: retryAfter(error.headers), message: `${provider} ${status}: ${apiMessage(error, status)}` };
  }
  return plainFailure(error);
}

function plainFailure(error: unknown): Failure {
  if (error instanceof Error && error.name === 'AbortError') return { kind: 'aborted', message: 'request aborted' };
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

/**
 * The API's own words for an error response, on one line. `error.error` is what the SDK parsed:
 * OpenAI keeps the body's `error` object (`{message, type, code}`), whose message is already in
 * `error.message`; Anthropic keeps the whole body (`{type: 'error', error: {type, message}}`)
 * and its `error.message` is that JSON. A body the SDK could not parse is in `error.message`.
 */
function apiMessage(error: Error & { error?: unknown }, status: number): string {
  const parsed = error.error;
  const body = typeof parsed === 'object' && parsed !== null ? (parsed as { message?: unknown; error?: unknown; detail?: unknown }) : undefined;
  const candidates = [parsed, body?.message, (body?.error as { message?: unknown } | undefined)?.message, body?.error, body?.detail];
  const found = candidates.find((value): value is string => typeof value === 'string' && value.trim() !== '');
  const text = found ?? error.message.replace(new RegExp(`^${status} `), '');
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 500 ? `${line.slice(0, 499)}…` : line;
}

/** The most specific reason a connection failed: the first error `code` (ECONNREFUSED, ECONNRESET,
 * ENOTFOUND, UND_ERR_SOCKET...) along the `cause` chain (and inside AggregateErrors), else the
 * innermost message ("fetch failed" and "Connection error." say nothing). */
function connectionDetail(error: Error): string {
  let message: string | undefined;
  const queue: unknown[] = [(error as { cause?: unknown }).cause];
  for (let seen = 0; queue.length > 0 && seen < 16; seen++) {
    const current = queue.shift() as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown } | undefined;
    if (!current || typeof current !== 'object') continue;
    if (typeof current.code === 'string' && current.code !== '') return current.code;
    if (typeof current.message === 'string' && current.message !== '') message = current.message;
    if (Array.isArray(current.errors)) queue.push(...current.errors);
    queue.push(current.cause);
  }
  return (message ?? error.message).replace(/\s+/g, ' ').trim();
}

export function kindForStatus(status: number): FailureKind {
  if (status === 429) return 'rate-limit';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 408 || status === 409 || status >= 500) return 'server';
  if (status === 400 || status === 413 || status === 422) return 'bad-request';
  return 'other';
}

/** `retry-after-ms`, else `retry-after` in seconds or as an HTTP date; undefined if absent. */
export function retryAfter(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
