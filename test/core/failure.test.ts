import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { classifySdkError, kindForStatus, retryAfter } from '../../src/core/providers/failure.js';

// How provider errors become a Failure: by the SDKs' own error classes and fields, never by
// message text. The errors are the SDKs' real classes, built as the SDKs build them.

describe('kindForStatus', () => {
  it.each([
    [429, 'rate-limit'], [401, 'auth'], [403, 'auth'], [404, 'not-found'],
    [408, 'server'], [409, 'server'], [500, 'server'], [502, 'server'], [503, 'server'], [529, 'server'],
    [400, 'bad-request'], [413, 'bad-request'], [422, 'bad-request'], [402, 'other'], [418, 'other'],
  ])('%i -> %s', (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
  });
});

describe('retryAfter', () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  it.each<[Record<string, string>, number | undefined]>([
    [{}, undefined],
    [{ 'retry-after': '1' }, 1000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after-ms': '250', 'retry-after': '5' }, 250], // the finer one wins
    [{ 'retry-after': 'soon' }, undefined],
  ])('%j -> %s ms', (h, ms) => {
    expect(retryAfter(headers(h))).toBe(ms);
  });

  it('an HTTP date is the time until then', () => {
    const ms = retryAfter(headers({ 'retry-after': new Date(Date.now() + 10_000).toUTCString() }))!;
    expect(ms).toBeGreaterThan(8000);
    expect(ms).toBeLessThanOrEqual(10_000);
    expect(retryAfter(headers({ 'retry-after': new Date(Date.now() - 60_000).toUTCString() }))).toBe(0);
  });
});

describe.each([
  ['OpenAI', OpenAI],
  ['Anthropic', Anthropic],
] as const)('classifySdkError with the %s SDK', (name, sdk) => {
  const classify = (error: unknown) => classifySdkError(error, sdk, name);
  const apiError = (status: number, body: object, h: Record<string, string> = {}) => sdk.APIError.generate(status, body, undefined, new Headers(h));

  it('a 429 with retry-after is a rate limit carrying the wait', () => {
    expect(classify(apiError(429, { error: { message: 'slow down' } }, { 'retry-after': '2' }))).toMatchObject({ kind: 'rate-limit', status: 429, retryAfterMs: 2000 });
  });

  it.each([[401, 'auth'], [404, 'not-found'], [500, 'server'], [400, 'bad-request']])('%i -> %s, message names the provider', (status, kind) => {
    const failure = classify(apiError(status, { error: { message: 'nope' } }));
    expect(failure).toMatchObject({ kind, status });
    expect(failure.message.startsWith(`${name} ${status}`)).toBe(true);
  });

  it('timeouts, dropped connections and our own aborts', () => {
    expect(classify(new sdk.APIConnectionTimeoutError())).toMatchObject({ kind: 'timeout' });
    expect(classify(new sdk.APIConnectionError({ cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }))).toEqual({ kind: 'connection', message: `connection to ${name} failed (UND_ERR_SOCKET)` });
    expect(classify(new sdk.APIUserAbortError())).toMatchObject({ kind: 'aborted' });
    expect(classify(new TypeError('boom'))).toEqual({ kind: 'other', message: 'boom' });
  });
});

it('OpenAI: a 429 insufficient_quota is an exhausted quota (stop), not a rate limit (wait)', () => {
  const error = OpenAI.APIError.generate(429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, undefined, new Headers());
  expect(classifySdkError(error, OpenAI, 'OpenAI')).toMatchObject({ kind: 'quota', status: 429 });
});
