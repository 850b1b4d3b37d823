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

  it('the message is the API\'s own words on one line, not the JSON body', () => {
    // Each SDK's generate() with the body its API sends (OpenAI: {error: {...}}; Anthropic: {type, error: {...}}).
    const body = name === 'OpenAI'
      ? { error: { message: 'Incorrect API key provided: sk-xx***', type: 'invalid_request_error', code: 'invalid_api_key' } }
      : { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } };
    const expected = name === 'OpenAI' ? 'OpenAI 401: Incorrect API key provided: sk-xx***' : 'Anthropic 401: invalid x-api-key';
    expect(classify(apiError(401, body)).message).toBe(expected);
    // A message spread over lines is folded into one.
    expect(classify(apiError(400, { error: { message: 'max_tokens:\n  must be positive' } })).message).toBe(`${name} 400: max_tokens: must be positive`);
    // No body at all: the status alone.
    expect(classify(sdk.APIError.generate(503, undefined, undefined, new Headers())).message).toBe(`${name} 503: status code (no body)`);
    // A body that is not JSON (the SDK passes the text as the message).
    expect(classify(sdk.APIError.generate(502, undefined, '<html>\n<body>Bad Gateway</body>\n</html>', new Headers())).message).toBe(`${name} 502: <html> <body>Bad Gateway</body> </html>`);
  });

  it('a connection failure names the error code found along the cause chain', () => {
    const code = (c: string, message = 'x') => Object.assign(new Error(message), { code: c });
    const failed = (cause: unknown) => classify(new sdk.APIConnectionError({ cause: cause as Error })).message;
    expect(failed(code('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'))).toBe(`connection to ${name} failed (ECONNREFUSED)`);
    // undici (global fetch): TypeError('fetch failed') whose cause carries the code.
    expect(failed(new TypeError('fetch failed', { cause: code('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example') }))).toBe(`connection to ${name} failed (ENOTFOUND)`);
    // Happy eyeballs: an AggregateError of the attempts.
    expect(failed(new TypeError('fetch failed', { cause: new AggregateError([code('ECONNREFUSED'), code('ECONNREFUSED')]) }))).toBe(`connection to ${name} failed (ECONNREFUSED)`);
    // No code anywhere: the innermost message, not "fetch failed".
    expect(failed(new TypeError('fetch failed', { cause: new Error('other side closed') }))).toBe(`connection to ${name} failed (other side closed)`);
    // No cause: the SDK's own message.
    expect(classify(new sdk.APIConnectionError({ message: 'Connection error.' })).message).toBe(`connection to ${name} failed (Connection error.)`);
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
