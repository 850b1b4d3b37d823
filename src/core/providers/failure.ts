import type { Failure, FailureKind } from './types.js';

/** The error classes both official SDKs export under the same names. */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => Error & { status?: number; headers?: Headers | undefined };
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
}

/** Normalizes an SDK error by its class (never by message text). */
export function classifySdkError(error: unknown, sdk: SdkErrorClasses, provider: string): Failure {
  if (error instanceof sdk.APIUserAbortError) return { kind: 'aborted', message: 'request aborted' };
  if (error instanceof sdk.APIConnectionTimeoutError) return { kind: 'timeout', message: 'request timed out' };
  if (error instanceof sdk.APIConnectionError) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? error.message;
    return { kind: 'connection', message: `connection to ${provider} failed (${detail})` };
  }
  if (error instanceof sdk.APIError && typeof error.status === 'number') {
    const status = error.status;
    // OpenAI answers an exhausted balance with a 429 too; waiting will not help.
    const code = (error as { code?: unknown }).code;
    const kind = status === 429 && code === 'insufficient_quota' ? 'quota' : kindForStatus(status);
    return { kind, status, retryAfterMs: retryAfter(error.headers), message: `${provider} ${error.message}` };
  }
  if (error instanceof Error && error.name === 'AbortError') return { kind: 'aborted', message: 'request aborted' };
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
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
