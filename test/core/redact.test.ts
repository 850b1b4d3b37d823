import { describe, expect, it } from 'vitest';
import { credentialParameters, looksLikeKey, maskURL, maskURLText, redactKeys } from '../../src/core/redact.js';

describe('looksLikeKey', () => {
  it.each([
    ['sk-proj-abcdef0123456789', true],
    ['sk-ant-api03-ABCDEFGHIJKLMNOP', true],
    ['AIzaSyD0123456789abcdefXYZ', true],
    ['3f9a0c1d2e4b5a6978800112233aabbc', true],
    ['Xq7kP2mN9vB4cL1wR8tY5zA3', true],
    // Model and file names: short words between separators.
    ['gpt-4o-mini-2024-07-18', false],
    ['claude-3-5-sonnet-20241022', false],
    ['text-embedding-3-small', false],
    ['customer_reviews_2024_final', false],
    ['internationalization', false],
    ['sk-short', false],
    ['abc123', false],
  ])('%s -> %s', (value, expected) => {
    expect(looksLikeKey(value)).toBe(expected);
  });
});

describe('redactKeys', () => {
  it.each([
    ["--concurrency \"Xq7kP2mN9vB4cL1wR8tY5zA3\" is not valid", {}, '--concurrency "***" is not valid'],
    ['no model "claude-3-5-sonnet-20241022"', {}, 'no model "claude-3-5-sonnet-20241022"'],
    ['--temperature "gateway-pass" is not valid', { OPENAI_API_KEY: 'gateway-pass' }, '--temperature "***" is not valid'],
    ['--name "ant-pass-1"', { ANTHROPIC_API_KEY: 'ant-pass-1' }, '--name "***"'],
    ['/tmp/reviews_2024_final.csv not found', {}, '/tmp/reviews_2024_final.csv not found'],
  ])('%j', (text, env, expected) => {
    expect(redactKeys(text, env)).toBe(expected);
  });
});

describe('credential query parameters', () => {
  it.each([
    ['http://h/v1?api-key=s', ['api-key'], 'http://h/v1?api-key=***'],
    ['http://h/v1?API_KEY=s&x=1', ['API_KEY'], 'http://h/v1?API_KEY=***&x=1'],
    ['http://h/v1?apikey=s&key=t&token=u', ['apikey', 'key', 'token'], 'http://h/v1?apikey=***&key=***&token=***'],
    ['http://h/v1?access_token=s&Sig=t&signature=u', ['access_token', 'Sig', 'signature'], 'http://h/v1?access_token=***&Sig=***&signature=***'],
    ['http://h/v1?password=s&Secret=t', ['password', 'Secret'], 'http://h/v1?password=***&Secret=***'],
    ['http://h/v1?api-version=2024-06-01&keyword=x', [], 'http://h/v1?api-version=2024-06-01&keyword=x'],
    ['http://h/v1', [], 'http://h/v1'],
  ])('%s', (url, names, masked) => {
    expect(credentialParameters(new URL(url))).toEqual(names);
    expect(maskURL(new URL(url))).toBe(masked);
  });
});

describe('maskURLText', () => {
  it.each([
    ['not a url?token=hunter2', 'not a url?***'],
    ['ftp://user:hunter2@host/v1', 'ftp://***@host/v1'],
    ['localhost:11434/v1#key=x', 'localhost:11434/v1?***'],
    ['notaurl', 'notaurl'],
  ])('%s', (value, masked) => {
    expect(maskURLText(value)).toBe(masked);
  });
});
