// `evalctl config`: the resolved settings with the origin of each; model aliases in a real run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { PROMPT, reviewsCsv } from '../helpers/jobs.js';
import { startStub, type Stub } from '../stub/server.js';

describe('evalctl config', () => {
  let temp: ReturnType<typeof tempDir>;
  let n = 0;
  beforeAll(() => { temp = tempDir(); });
  afterAll(() => temp?.cleanup());

  function folder(config?: object): string {
    const dir = join(temp.dir, `c${(n += 1)}`);
    mkdirSync(dir);
    if (config) writeFileSync(join(dir, '.evalrc.json'), JSON.stringify(config));
    return dir;
  }

  it.each([
    { name: 'defaults alone', config: undefined, env: {}, key: 'concurrency', value: 8, origin: 'default' },
    { name: 'the config file', config: { concurrency: 3 }, env: {}, key: 'concurrency', value: 3, origin: '.evalrc.json' },
    { name: 'a variable over the file', config: { concurrency: 3 }, env: { EVALCTL_CONCURRENCY: '5' }, key: 'concurrency', value: 5, origin: 'EVALCTL_CONCURRENCY' },
    { name: 'a string setting from the file', config: { targetColumn: 'label_pred' }, env: {}, key: 'targetColumn', value: 'label_pred', origin: '.evalrc.json' },
  ])('$name', async ({ config, env, key, value, origin }) => {
    const cwd = folder(config);
    const result = await runCli(['config', '--json'], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    const shown = JSON.parse(result.stdout);
    expect(shown.settings[key].value).toEqual(value);
    expect(shown.settings[key].origin.endsWith(origin)).toBe(true);
    expect(shown.config_file).toBe(config ? join(cwd, '.evalrc.json') : null);
    expect(shown.jobs).toBe(join(cwd, '.state', 'evalctl'));

    const text = await runCli(['config'], { cwd, env });
    expect(text.stdout).toMatch(new RegExp(`^  ${key} +${value} +\\S*${origin.replace('.', '\\.')}$`, 'm'));
  });

  it('a bad value in the file is one line naming it (exit 1)', async () => {
    const result = await runCli(['config'], { cwd: folder({ concurrency: 'eight' }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^evalctl: "concurrency" in .*\.evalrc\.json must be a number, not "eight"\.$/m);
  });
});

describe('model aliases', () => {
  let stub: Stub;
  let temp: ReturnType<typeof tempDir>;
  beforeAll(async () => { stub = await startStub(); temp = tempDir(); });
  afterAll(async () => { await stub?.close(); temp?.cleanup(); });

  it.each([
    { name: '--model <alias> takes the alias\'s model and endpoint', args: ['-m', 'local'], config: {} },
    { name: 'the config file\'s model may be an alias', args: [], config: { model: 'local' } },
  ])('$name', async ({ args, config }) => {
    const cwd = join(temp.dir, `a${args.length}`);
    mkdirSync(cwd);
    writeFileSync(join(cwd, '.evalrc.json'), JSON.stringify({ ...config, aliases: { local: `openai:stub-model@${stub.openaiBaseURL}` } }));
    const source = await reviewsCsv(cwd, 'r.csv', 3);
    // No OPENAI_BASE_URL: the endpoint can only come from the alias.
    const result = await runCli(['create', source, '-p', PROMPT, '--json', ...args], { cwd, env: { OPENAI_API_KEY: 'sk-test' } });
    expect(result.code, result.stderr).toBe(0);
    const job = JSON.parse(result.stdout);
    expect(job.settings.variants[0]).toMatchObject({ model: 'stub-model', provider: 'openai', base_url: stub.openaiBaseURL });
  });
});
