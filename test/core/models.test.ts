import { describe, expect, it } from 'vitest';
import { ProviderError, UsageError } from '../../src/core/errors.js';
import { apiKeyFor, isLocalURL, redactSecrets, resolveModel } from '../../src/core/models.js';

describe('resolveModel routes a model id to its provider', () => {
  it.each([
    ['gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['gpt-4o-mini-2024-07-18', 'openai', 'gpt-4o-mini-2024-07-18'],
    ['chatgpt-4o-latest', 'openai', 'chatgpt-4o-latest'],
    ['o1', 'openai', 'o1'],
    ['o1-mini', 'openai', 'o1-mini'],
    ['o3', 'openai', 'o3'],
    ['o3-mini', 'openai', 'o3-mini'],
    ['o4-mini', 'openai', 'o4-mini'],
    ['text-embedding-3-small', 'openai', 'text-embedding-3-small'],
    ['claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5'],
    ['claude-sonnet-4-5-20250929', 'anthropic', 'claude-sonnet-4-5-20250929'],
    ['openai:llama3.1', 'openai', 'llama3.1'],
    ['openai:gpt-4o', 'openai', 'gpt-4o'],
    ['anthropic:my-proxy-model', 'anthropic', 'my-proxy-model'],
    ['openai:org/model:tag', 'openai', 'org/model:tag'],
    ['  gpt-4o  ', 'openai', 'gpt-4o'],
    ['echo', 'echo', 'echo'],
  ])('%j -> %s %j', (spec, provider, model) => {
    const choice = resolveModel(spec, undefined, {});
    expect(choice).toEqual({ provider, model });
  });

  it.each(['llama3.1', 'mistral-large', 'gemini-2.0-flash', 'omni', 'order-model', 'claude'])('%j without a base URL is refused', (spec) => {
    const attempt = () => resolveModel(spec, undefined, {});
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(`Unknown model "${spec}": cannot tell which provider serves it.`);
  });

  it.each([['', /--model is empty/], ['   ', /--model is empty/]])('%j is refused', (spec, message) => {
    expect(() => resolveModel(spec, undefined, {})).toThrow(message);
  });

  it('sends an unknown model to an OpenAI-compatible base URL', () => {
    expect(resolveModel('llama3.1', 'http://localhost:11434/v1/', {})).toEqual({ provider: 'openai', model: 'llama3.1', baseURL: 'http://localhost:11434/v1' });
  });

  it('takes the base URL from the provider variable, flag first', () => {
    const env = { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:2' };
    expect(resolveModel('gpt-4o', undefined, env).baseURL).toBe('http://127.0.0.1:1/v1');
    expect(resolveModel('claude-haiku-4-5', undefined, env).baseURL).toBe('http://127.0.0.1:2');
    expect(resolveModel('llama3.1', undefined, env)).toEqual({ provider: 'openai', model: 'llama3.1', baseURL: 'http://127.0.0.1:1/v1' });
    expect(resolveModel('gpt-4o', 'http://127.0.0.1:3/v1', env).baseURL).toBe('http://127.0.0.1:3/v1');
  });

  it('ignores an empty base URL variable', () => {
    expect(resolveModel('gpt-4o', undefined, { OPENAI_BASE_URL: '' })).toEqual({ provider: 'openai', model: 'gpt-4o' });
  });

  it.each([
    ['localhost:11434', /must start with http:\/\/ or https:\/\//],
    ['not a url', /is not a valid URL/],
    ['ftp://example.com', /must start with http/],
  ])('refuses the base URL %j', (url, message) => {
    const attempt = () => resolveModel('gpt-4o', url, {});
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });
});

describe('apiKeyFor', () => {
  it.each([
    [{ provider: 'openai', model: 'gpt-4o' }, { OPENAI_API_KEY: 'sk-a' }, 'sk-a'],
    [{ provider: 'anthropic', model: 'claude-haiku-4-5' }, { ANTHROPIC_API_KEY: ' sk-ant ' }, 'sk-ant'],
    [{ provider: 'echo', model: 'echo' }, {}, ''],
    [{ provider: 'openai', model: 'llama3.1', baseURL: 'http://localhost:11434/v1' }, {}, 'not-needed'],
    [{ provider: 'openai', model: 'llama3.1', baseURL: 'http://127.0.0.1:8000/v1' }, {}, 'not-needed'],
    [{ provider: 'anthropic', model: 'x', baseURL: 'http://[::1]:9000' }, {}, 'not-needed'],
    [{ provider: 'openai', model: 'llama3.1', baseURL: 'http://localhost:11434/v1' }, { OPENAI_API_KEY: 'sk-real' }, 'sk-real'],
  ] as const)('%j with %j -> %j', (choice, env, key) => {
    expect(apiKeyFor(choice, env)).toBe(key);
  });

  it.each([
    [{ provider: 'openai', model: 'gpt-4o' }, 'OPENAI_API_KEY is not set, so gpt-4o cannot be called.'],
    [{ provider: 'anthropic', model: 'claude-haiku-4-5' }, 'ANTHROPIC_API_KEY is not set, so claude-haiku-4-5 cannot be called.'],
    [{ provider: 'openai', model: 'm', baseURL: 'https://gateway.example.com/v1' }, 'OPENAI_API_KEY is not set'],
  ] as const)('%j without a key is refused', (choice, message) => {
    const attempt = () => apiKeyFor(choice, { OPENAI_API_KEY: '  ', ANTHROPIC_API_KEY: '' });
    expect(attempt).toThrow(ProviderError);
    expect(attempt).toThrow(message);
  });
});

describe('isLocalURL', () => {
  it.each([
    ['http://localhost:11434/v1', true],
    ['http://127.0.0.1:8000', true],
    ['http://127.1.2.3', true],
    ['http://[::1]:8080/v1', true],
    ['http://0.0.0.0:1234', true],
    ['https://api.openai.com/v1', false],
    ['http://127.0.0.1.example.com/v1', false],
    ['http://localhost.evil.com', false],
    [undefined, false],
  ])('%j -> %s', (url, local) => {
    expect(isLocalURL(url)).toBe(local);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['Incorrect API key provided: sk-test-1234567890abcdef', { OPENAI_API_KEY: 'sk-test-1234567890abcdef' }, 'Incorrect API key provided: ***'],
    ['key sk-ant-api03-ABCDEFGHIJKLMNOP rejected', { ANTHROPIC_API_KEY: 'sk-ant-api03-ABCDEFGHIJKLMNOP' }, 'key *** rejected'],
    ['a stray sk-proj-abcdefghijklmnopqrstuvwxyz key', {}, 'a stray sk-proj-a*** key'],
    ['short sk-abc stays', {}, 'short sk-abc stays'],
    ['nothing secret here', { OPENAI_API_KEY: 'sk-test-1234567890' }, 'nothing secret here'],
    ['twice: abcdefgh and abcdefgh', { OPENAI_API_KEY: 'abcdefgh' }, 'twice: *** and ***'],
  ])('%j', (text, env, expected) => {
    expect(redactSecrets(text, env)).toBe(expected);
  });

  it('never leaves more than a short prefix of an sk- key', () => {
    const key = 'sk-live-' + 'x'.repeat(40);
    const out = redactSecrets(`Bearer ${key}`, {});
    expect(out).not.toContain('x'.repeat(10));
  });
});
