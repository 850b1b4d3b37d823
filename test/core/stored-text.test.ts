import { describe, expect, it } from 'vitest';
import { maskStoredText, refuseStoredKeys } from '../../src/core/stored-text.js';

const ENV = { OPENAI_API_KEY: 'gateway-pass' };

describe('maskStoredText', () => {
  it.each([
    ['nightly eval', 'nightly eval'],
    ['release 2024-07-18 gpt-4o-mini', 'release 2024-07-18 gpt-4o-mini'],
    // Git object ids (SHA-1, SHA-256) are at home in names and commit messages.
    ['run 3f2a9c1b7d4e5f6a7b8c9d0e1f2a3b4c5d6e7f80', 'run 3f2a9c1b7d4e5f6a7b8c9d0e1f2a3b4c5d6e7f80'],
    [`run ${'ab12'.repeat(16)}`, `run ${'ab12'.repeat(16)}`],
    // A 40-character id in capitals, or 39 characters, is not git's: masked.
    ['run 3F2A9C1B7D4E5F6A7B8C9D0E1F2A3B4C5D6E7F80', 'run ***'],
    ['run 3f2a9c1b7d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8', 'run ***'],
    ['sk-proj-abcdef0123456789ABCDEF', 'sk-proj-a***'],
    ['token ghp_0123456789abcdefghijABCDEFGHIJ0123 here', 'token *** here'],
    ['uses gateway-pass', 'uses ***'],
  ])('%j -> %j', (text, masked) => {
    expect(maskStoredText(text, ENV)).toBe(masked);
  });
});

describe('refuseStoredKeys', () => {
  it.each([
    [{ name: 'Zk29dLq0Xv83NbTr61pQw7Ye' }, '--name "***" holds what looks like an API key, and evalctl stores --name with the job.'],
    [{ commitMessage: `results ${'x'.repeat(80)} sk-live-0123456789abcdefABCDEF` }, `--commit-message "results ${'x'.repeat(52)}…" holds what looks like an API key, and evalctl stores --commit-message with the job.`],
    [{ s3Endpoint: 'http://127.0.0.1:9000/?X-Amz-Signature=abc' }, '--s3-endpoint http://127.0.0.1:9000/?X-Amz-Signature=*** has credentials in it, and evalctl stores the endpoint with the job.'],
  ])('refuses %j', (text, message) => {
    expect(() => refuseStoredKeys(text, ENV)).toThrow(message);
  });

  it('lets plain text through', () => {
    expect(() => refuseStoredKeys({ name: 'nightly', commitMessage: 'Eval results', targetBranch: 'results', targetColumn: 'prediction', s3Endpoint: 'http://127.0.0.1:9000' }, ENV)).not.toThrow();
  });
});
