// Secrets never leak: a key typed in the wrong place (a flag value, a base URL, --model) is
// refused in one line that does not echo it, and the SDKs' debug logs go to stderr, redacted.
// For every case the secret appears nowhere: not on stdout, not on stderr, not in any file
// under EVALCTL_HOME.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { startStub, type Stub } from '../stub/server.js';

/** The key in OPENAI_API_KEY / ANTHROPIC_API_KEY; the stub refuses any other. */
const KEY = 'sk-test-secrets-0123456789abcdef';
const P = ['-p', 'Classify: {review}'];

interface Case {
  name: string;
  args: string[];
  /** The string that must appear nowhere. */
  secret: string;
  code: 0 | 1 | 2;
  /** Every string must appear in the `evalctl:` line (refusals only). */
  culprit?: string[];
  /** Extra environment; `STUB` is replaced by the stub's OpenAI base URL. */
  env?: Record<string, string>;
  /** For runs that succeed: a string stderr must contain (the SDK log really was on). */
  logged?: string;
}

const cases: Case[] = [
  // Base URLs are stored with the job: credentials in the query string are refused, masked.
  { name: 'base URL ?api-key=', args: ['create', 'data.csv', ...P, '--base-url', 'http://127.0.0.1:9/v1?api-key=hunter2-in-query'], secret: 'hunter2-in-query', code: 2, culprit: ['base URL', 'http://127.0.0.1:9/v1?api-key=***', 'query string'] },
  { name: 'base URL ?Token= (any case), among other parameters', args: ['create', 'data.csv', ...P, '--base-url', 'https://gateway.example/v1?region=eu&Token=tok-hunter2'], secret: 'tok-hunter2', code: 2, culprit: ['Token=***', 'region=eu'] },
  { name: 'base URL ?sig= from OPENAI_BASE_URL', args: ['create', 'data.csv', ...P, '-m', 'gpt-4o-mini'], env: { OPENAI_BASE_URL: 'https://x.blob.example/v1?sv=1&sig=c2lnbmF0dXJl' }, secret: 'c2lnbmF0dXJl', code: 2, culprit: ['sig=***'] },
  { name: 'base URL ?access_token= and ?password=', args: ['create', 'data.csv', ...P, '--base-url', 'http://127.0.0.1:9/v1?access_token=abc-token-1&password=pw-hunter2'], secret: 'pw-hunter2', code: 2, culprit: ['access_token=***', 'password=***'] },
  { name: 'an unparseable base URL with ?token=', args: ['create', 'data.csv', ...P, '--base-url', 'not a url?token=hunter2-unparsed'], secret: 'hunter2-unparsed', code: 2, culprit: ['"not a url?***"', 'not a valid URL'] },
  // Commander echoes what was typed.
  { name: 'unknown option --api-key=<key>', args: ['create', 'data.csv', ...P, '--api-key=sk-abc123def456ghi789jkl'], secret: 'sk-abc123def456ghi789jkl', code: 2, culprit: ["'--api-key=***'"] },
  { name: 'unknown option --token=<not key-shaped>', args: ['create', 'data.csv', ...P, '--token=correct-horse-battery'], secret: 'correct-horse-battery', code: 2, culprit: ["'--token=***'"] },
  { name: 'a key as --concurrency', args: ['create', 'data.csv', ...P, '-c', 'sk-live-0123456789abcdefABCDEF'], secret: 'sk-live-0123456789abcdefABCDEF', code: 2, culprit: ['--concurrency', 'is not valid'] },
  { name: 'a high-entropy token as --input-format', args: ['create', 'data.csv', ...P, '--input-format', 'AIzaSyD0123456789abcdefXYZ'], secret: 'AIzaSyD0123456789abcdefXYZ', code: 2, culprit: ['--input-format "***"', 'allowed choices'] },
  { name: 'a key as the command', args: ['Xq7kP2mN9vB4cL1wR8tY5zA3'], secret: 'Xq7kP2mN9vB4cL1wR8tY5zA3', code: 2, culprit: ["Unknown command '***'"] },
  { name: 'the value of OPENAI_API_KEY as a flag value, whatever its shape', args: ['create', 'data.csv', ...P, '--temperature', 'gateway-pass'], env: { OPENAI_API_KEY: 'gateway-pass' }, secret: 'gateway-pass', code: 2, culprit: ['--temperature "***"'] },
  // --model is stored with the job.
  { name: 'a key as --model', args: ['create', 'data.csv', ...P, '-m', 'sk-proj-abcdef0123456789ABCDEF', '--base-url', 'STUB'], secret: 'sk-proj-abcdef0123456789ABCDEF', code: 2, culprit: ['--model looks like an API key'] },
  { name: 'a key as --model openai:<id>', args: ['create', 'data.csv', ...P, '-m', 'openai:Zk29dLq0Xv83NbTr61pQw7Ye', '--base-url', 'STUB'], secret: 'Zk29dLq0Xv83NbTr61pQw7Ye', code: 2, culprit: ['--model looks like an API key'] },
  { name: 'a key as EVALCTL_MODEL', args: ['create', 'data.csv', ...P], env: { EVALCTL_MODEL: 'sk-ant-api03-abcdef0123456789', EVALCTL_BASE_URL: 'STUB' }, secret: 'sk-ant-api03-abcdef0123456789', code: 2, culprit: ['looks like an API key'] },
  { name: 'the value of OPENAI_API_KEY as --model', args: ['create', 'data.csv', ...P, '-m', 'my-gateway', '--base-url', 'STUB'], env: { OPENAI_API_KEY: 'my-gateway' }, secret: 'my-gateway', code: 2, culprit: ['looks like an API key'] },
  // Free text stored with the job (record, `status`, `list`, commits, output column names): refused, masked.
  { name: 'a key as --name', args: ['create', 'data.csv', ...P, '-m', 'echo', '--name', 'sk-proj-abcdef0123456789ABCDEF'], secret: 'sk-proj-abcdef0123456789ABCDEF', code: 2, culprit: ['--name "sk-proj-a***"', 'looks like an API key', 'stores --name with the job'] },
  { name: 'a key inside a longer --name', args: ['create', 'data.csv', ...P, '-m', 'echo', '--name', 'nightly run Zk29dLq0Xv83NbTr61pQw7Ye'], secret: 'Zk29dLq0Xv83NbTr61pQw7Ye', code: 2, culprit: ['--name "nightly run ***"'] },
  { name: 'the value of OPENAI_API_KEY as --name, whatever its shape', args: ['create', 'data.csv', ...P, '-m', 'echo', '--name', 'gateway-pass'], env: { OPENAI_API_KEY: 'gateway-pass' }, secret: 'gateway-pass', code: 2, culprit: ['--name "***"'] },
  { name: 'a key in --commit-message', args: ['create', 'data.csv', ...P, '-m', 'echo', '--commit', '--commit-message', 'eval results, token ghp_0123456789abcdefghijABCDEFGHIJ0123'], secret: 'ghp_0123456789abcdefghijABCDEFGHIJ0123', code: 2, culprit: ['--commit-message "eval results, token ***"'] },
  { name: 'a key as --target-branch', args: ['create', 'data.csv', ...P, '-m', 'echo', '--target-branch', 'sk-ant-api03-abcdef0123456789xyz'], secret: 'sk-ant-api03-abcdef0123456789xyz', code: 2, culprit: ['--target-branch "sk-ant-ap***"'] },
  { name: 'a key as --target-column', args: ['create', 'data.csv', ...P, '-m', 'echo', '-t', 'Xq7kP2mN9vB4cL1wR8tY5zA3'], secret: 'Xq7kP2mN9vB4cL1wR8tY5zA3', code: 2, culprit: ['--target-column "***"'] },
  { name: 'credentials in --s3-endpoint', args: ['create', 'data.csv', ...P, '-m', 'echo', '-o', 's3://results/out.csv', '--s3-endpoint', 'http://minio:pw-hunter2-s3@127.0.0.1:9/'], secret: 'pw-hunter2-s3', code: 2, culprit: ['--s3-endpoint http://***:***@127.0.0.1:9/', 'has credentials'] },
  // The SDKs' own logs: on stderr, with the key masked.
  { name: 'OPENAI_LOG=debug', args: ['create', 'data.csv', ...P, '-m', 'gpt-4o-mini', '--base-url', 'STUB', '-o', 'out-openai.csv'], env: { OPENAI_LOG: 'debug' }, secret: KEY, code: 0, logged: 'sending request' },
  { name: 'ANTHROPIC_LOG=debug', args: ['create', 'data.csv', ...P, '-m', 'claude-haiku-4-5', '-o', 'out-anthropic.csv'], env: { ANTHROPIC_LOG: 'debug', ANTHROPIC_BASE_URL: 'ANTHROPIC' }, secret: KEY, code: 0, logged: 'sending request' },
];

let stub: Stub;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  stub = await startStub({ requireKey: KEY });
  ({ dir, cleanup } = tempDir('evalctl-secrets-'));
  writeFileSync(join(dir, 'data.csv'), 'id,review\n1,great phone\n2,broke in a day\n');
});

afterAll(async () => {
  await stub?.close();
  cleanup?.();
});

/** The text of every file under `root`. */
function filesUnder(root: string): { path: string; text: string }[] {
  let names: string[];
  try {
    names = readdirSync(root, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return names.map((name) => join(root, name)).flatMap((path) => {
    try {
      return [{ path, text: readFileSync(path, 'latin1') }];
    } catch {
      return [];
    }
  });
}

it('a git commit id in --name or --commit-message is not taken for a key', async () => {
  const home = join(dir, 'home-git-id');
  const sha = '3f2a9c1b7d4e5f6a7b8c9d0e1f2a3b4c5d6e7f80';
  const result = await runCli(['create', 'data.csv', ...P, '-m', 'echo', '-o', 'out-git-id.csv', '--name', `nightly ${sha}`, '--json'], { cwd: dir, env: { EVALCTL_HOME: home, OPENAI_API_KEY: KEY } });
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).name).toBe(`nightly ${sha}`);
});

describe('secrets never leak', () => {
  for (const [index, c] of cases.entries()) it(c.name, async () => {
    const home = join(dir, `home-${index}`);
    const env: Record<string, string> = { EVALCTL_HOME: home, OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY, ...c.env };
    for (const [key, value] of Object.entries(env)) {
      if (value === 'STUB') env[key] = stub.openaiBaseURL;
      if (value === 'ANTHROPIC') env[key] = stub.anthropicBaseURL;
    }
    const args = c.args.map((arg) => (arg === 'STUB' ? stub.openaiBaseURL : arg));
    const result = await runCli(args, { cwd: dir, env });

    expect(result.code, result.stderr).toBe(c.code);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(c.secret);
    for (const file of filesUnder(home)) expect(file.text, file.path).not.toContain(c.secret);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    if (c.culprit) {
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      expect(lines[0]).toMatch(/^evalctl: /);
      for (const culprit of c.culprit) expect(lines[0]).toContain(culprit);
      expect(lines.length, result.stderr).toBeLessThanOrEqual(2);
    }
    if (c.logged) {
      expect(result.stderr).toContain(c.logged);
      expect(filesUnder(home).length).toBeGreaterThan(0);
    }
  });
});
