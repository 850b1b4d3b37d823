import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, envName, parseValue, resolveSettings } from '../../src/core/config.js';
import { loadConfigFile, mayHaveConfigFile } from '../../src/core/config-file.js';
import { UsageError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/cli.js';

const file = (values: unknown) => ({ path: '/project/.evalrc.json', values });

describe('resolveSettings precedence: defaults < file < EVALCTL_* < flags', () => {
  it.each([
    ['defaults only', {}, DEFAULTS.concurrency],
    ['file', { file: file({ concurrency: 3 }) }, 3],
    ['env over file', { file: file({ concurrency: 3 }), env: { EVALCTL_CONCURRENCY: '5' } }, 5],
    ['flag over env and file', { file: file({ concurrency: 3 }), env: { EVALCTL_CONCURRENCY: '5' }, flags: { concurrency: 7 } }, 7],
    ['flag over defaults', { flags: { concurrency: 9 } }, 9],
    ['empty env var is ignored', { file: file({ concurrency: 3 }), env: { EVALCTL_CONCURRENCY: '' } }, 3],
    ['undefined flag is ignored', { env: { EVALCTL_CONCURRENCY: '4' }, flags: { concurrency: undefined } }, 4],
  ])('%s', (_, layers, concurrency) => {
    expect(resolveSettings(layers).concurrency).toBe(concurrency);
  });

  it('resolves every kind of value from env', () => {
    const settings = resolveSettings({
      env: {
        EVALCTL_MODEL: 'claude-haiku-4-5', EVALCTL_TEMPERATURE: '0.5', EVALCTL_MAX_TOKENS: '64', EVALCTL_MAX_RETRY_WAIT: '2.5',
        EVALCTL_CACHE: 'off', EVALCTL_USAGE_COLUMNS: 'yes', EVALCTL_TARGET_COLUMN: 'label', EVALCTL_BASE_URL: 'http://127.0.0.1:1/v1',
        EVALCTL_MAX_COST: '20', EVALCTL_MAX_RETRIES: '0',
      },
    });
    expect(settings).toMatchObject({
      model: 'claude-haiku-4-5', temperature: 0.5, maxTokens: 64, maxRetryWait: 2.5, cache: false, usageColumns: true,
      targetColumn: 'label', baseUrl: 'http://127.0.0.1:1/v1', maxCost: 20, maxRetries: 0,
    });
  });

  it('keeps the other defaults when a layer sets one value', () => {
    const settings = resolveSettings({ file: file({ model: 'echo' }) });
    expect(settings).toEqual({ ...DEFAULTS, model: 'echo', pricing: {} });
  });

  it('reads pricing from the file', () => {
    const pricing = { 'my-model': { input: 0.3, output: 1.2, creditsPerToken: 6e-7 }, 'batch-model': { input: 1, output: 2, batch: { input: 0.4, output: 0.8 } } };
    expect(resolveSettings({ file: file({ pricing }) }).pricing).toEqual(pricing);
  });

  it('does not let one resolution leak into DEFAULTS', () => {
    resolveSettings({ file: file({ pricing: { x: { input: 1, output: 1 } } }), flags: { model: 'echo' } });
    expect(DEFAULTS.pricing).toEqual({});
    expect(DEFAULTS.model).toBe('gpt-4o-mini');
  });
});

describe('bad values name their origin', () => {
  it.each([
    ['file number', { file: file({ concurrency: 0 }) }, '"concurrency" in /project/.evalrc.json must be a whole number of at least 1, not 0.'],
    ['file type', { file: file({ concurrency: '8' }) }, '"concurrency" in /project/.evalrc.json must be a number, not "8".'],
    ['file boolean', { file: file({ cache: 'no' }) }, '"cache" in /project/.evalrc.json must be true or false, not "no".'],
    ['file string', { file: file({ model: 4 }) }, '"model" in /project/.evalrc.json must be a string, not 4.'],
    ['file unknown key', { file: file({ concurency: 8 }) }, 'Config file /project/.evalrc.json has an unknown setting "concurency".'],
    ['file not an object', { file: file([1, 2]) }, 'Config file /project/.evalrc.json must hold an object of settings.'],
    ['file pricing', { file: file({ pricing: { m: { input: -1, output: 1 } } }) }, '"pricing" in /project/.evalrc.json: "m" needs non-negative numbers'],
    ['file pricing shape', { file: file({ pricing: [1] }) }, '"pricing" in /project/.evalrc.json must map model ids'],
    ['file batch pricing', { file: file({ pricing: { m: { input: 1, output: 1, batch: { input: 0.5 } } } }) }, '"pricing" in /project/.evalrc.json: "m" needs non-negative numbers'],
    ['env number', { env: { EVALCTL_CONCURRENCY: 'lots' } }, 'EVALCTL_CONCURRENCY must be a number, not "lots".'],
    ['env integer', { env: { EVALCTL_BATCH_SIZE: '2.5' } }, 'EVALCTL_BATCH_SIZE must be a whole number of at least 1, not 2.5.'],
    ['env positive', { env: { EVALCTL_MAX_COST: '-3' } }, 'EVALCTL_MAX_COST must be greater than 0, not -3.'],
    ['env boolean', { env: { EVALCTL_CACHE: 'maybe' } }, 'EVALCTL_CACHE must be true or false, not "maybe".'],
    ['env retries', { env: { EVALCTL_MAX_RETRIES: '-1' } }, 'EVALCTL_MAX_RETRIES must be a whole number of at least 0, not -1.'],
    ['file temperature range', { file: file({ temperature: 5 }) }, '"temperature" in /project/.evalrc.json must be a number from 0 to 2, not 5.'],
    ['env temperature range', { env: { EVALCTL_TEMPERATURE: '-1' } }, 'EVALCTL_TEMPERATURE must be a number from 0 to 2, not -1.'],
    ['file infinity (YAML .inf)', { file: file({ maxCost: Infinity }) }, '"maxCost" in /project/.evalrc.json must be a finite number'],
  ])('%s', (_, layers, message) => {
    const attempt = () => resolveSettings(layers);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });

  it('lists the known settings when a key is unknown', () => {
    try {
      resolveSettings({ file: file({ concurency: 8 }) });
      expect.unreachable();
    } catch (error) {
      expect((error as UsageError).hint).toMatch(/concurrency/);
    }
  });

  it('ignores $schema and comment keys in the file', () => {
    expect(resolveSettings({ file: file({ $schema: 'x', comment: 'y', model: 'echo' }) }).model).toBe('echo');
  });
});

describe('envName and parseValue', () => {
  it.each([['model', 'EVALCTL_MODEL'], ['maxRetryWait', 'EVALCTL_MAX_RETRY_WAIT'], ['usageColumns', 'EVALCTL_USAGE_COLUMNS']])('%s -> %s', (key, name) => {
    expect(envName(key)).toBe(name);
  });

  it.each([
    ['1', 'boolean', true], ['TRUE', 'boolean', true], ['off', 'boolean', false],
    [' 12 ', 'positive-int', 12], ['0', 'non-negative-int', 0], ['0.25', 'positive', 0.25], ['-0.5', 'number', -0.5],
    ['anything', 'string', 'anything'],
  ] as const)('%j as %s is %j', (raw, kind, value) => {
    expect(parseValue(raw, kind, 'X')).toBe(value);
  });

  it.each([['', 'number'], ['Infinity', 'number'], ['0', 'positive'], ['1e400', 'positive'], ['0', 'positive-int']] as const)('%j as %s is refused', (raw, kind) => {
    expect(() => parseValue(raw, kind, 'X')).toThrow(UsageError);
  });
});

describe('loadConfigFile', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const project = (name: string, files: Record<string, string>) => {
    const root = join(dir, name);
    mkdirSync(root, { recursive: true });
    for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
    return root;
  };

  it.each([
    ['.evalrc.json', '{"model": "echo"}'],
    ['.evalrc', '{"model": "echo"}'],
    ['.evalrc.yaml', 'model: echo\n'],
    ['evalctl.config.json', '{"model": "echo"}'],
    ['package.json', '{"name": "x", "evalctl": {"model": "echo"}}'],
  ])('finds %s', async (name, text) => {
    const root = project(`find-${name}`, { [name]: text });
    const found = await loadConfigFile(root);
    expect(found).toEqual({ path: join(root, name), values: { model: 'echo' } });
  });

  it('finds the nearest file walking up from a subdirectory', async () => {
    const root = project('walk', { 'package.json': '{"name": "x"}', '.evalrc.json': '{"model": "echo"}' });
    const sub = join(root, 'data', 'deep');
    mkdirSync(sub, { recursive: true });
    expect(await loadConfigFile(sub)).toEqual({ path: join(root, '.evalrc.json'), values: { model: 'echo' } });
  });

  it('stops at the project root (the directory with package.json)', async () => {
    const outer = project('outer', { '.evalrc.json': '{"model": "echo"}' });
    const inner = join(outer, 'inner');
    mkdirSync(inner);
    writeFileSync(join(inner, 'package.json'), '{"name": "inner"}');
    expect(await loadConfigFile(inner)).toBeUndefined();
  });

  it('returns undefined when there is no config file', async () => {
    expect(await loadConfigFile(project('none', {}))).toBeUndefined();
  });

  it('mayHaveConfigFile: false only where cosmiconfig would find nothing (it is then not loaded)', async () => {
    expect(mayHaveConfigFile(project('may-none', {}))).toBe(false);
    expect(mayHaveConfigFile(project('may-pkg-plain', { 'package.json': '{"name": "x"}' }))).toBe(false);
    expect(mayHaveConfigFile(project('may-pkg-key', { 'package.json': '{"name": "x", "evalctl": {}}' }))).toBe(true);
    expect(mayHaveConfigFile(project('may-yml', { '.evalrc.yml': 'model: echo\n' }))).toBe(true);
    // A package.json that does not parse: cosmiconfig is asked, and says what is wrong.
    const broken = project('may-pkg-broken', { 'package.json': '{"name": ' });
    expect(mayHaveConfigFile(broken)).toBe(true);
    await expect(loadConfigFile(broken)).rejects.toThrow(UsageError);
  });

  it('loads an explicit --config path', async () => {
    const root = project('explicit', { 'my.json': '{"concurrency": 2}' });
    expect((await loadConfigFile(root, join(root, 'my.json')))?.values).toEqual({ concurrency: 2 });
  });

  it('explains a broken file in one line', async () => {
    const root = project('broken', { '.evalrc.json': '{"model": ' });
    await expect(loadConfigFile(root)).rejects.toThrow(UsageError);
    await expect(loadConfigFile(root)).rejects.toThrow(/^[^\n]*broken\/\.evalrc\.json[^\n]*$/);
  });

  it('names a missing explicit file', async () => {
    const root = project('missing', {});
    await expect(loadConfigFile(root, join(root, 'nope.json'))).rejects.toThrow(/Cannot read .*nope\.json/);
  });
});
