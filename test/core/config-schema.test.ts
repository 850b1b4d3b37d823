// The shipped JSON Schema describes exactly the keys the config loader takes, with the same
// kinds of value; the example config follows both; model aliases expand as documented.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandAlias, resolveSettings, settingKinds } from '../../src/core/config.js';

const ROOT = resolve(import.meta.dirname, '../..');
const schema = JSON.parse(readFileSync(resolve(ROOT, 'schema/evalrc.schema.json'), 'utf8'));
const examplePath = resolve(ROOT, '.evalrc.example.json');
const example = JSON.parse(readFileSync(examplePath, 'utf8'));

const TYPE_OF_KIND: Record<string, string> = {
  string: 'string', number: 'number', positive: 'number', temperature: 'number', boolean: 'boolean',
  'positive-int': 'integer', 'non-negative-int': 'integer',
};

describe('schema/evalrc.schema.json', () => {
  it('names every setting the loader takes, and nothing else', () => {
    const expected = [...Object.keys(settingKinds()), 'pricing', 'variants', 'evaluators', 'aliases', '$schema', 'comment'].sort();
    expect(Object.keys(schema.properties).sort()).toEqual(expected);
    expect(schema.additionalProperties).toBe(false);
  });

  it.each(Object.entries(settingKinds()))('%s (%s) has the matching JSON type and bounds', (key, kind) => {
    const property = schema.properties[key];
    expect(property.type).toBe(TYPE_OF_KIND[kind]);
    if (kind === 'positive-int') expect(property.minimum).toBe(1);
    if (kind === 'non-negative-int') expect(property.minimum).toBe(0);
    if (kind === 'positive') expect(property.exclusiveMinimum).toBe(0);
    if (kind === 'temperature') expect([property.minimum, property.maximum]).toEqual([0, 2]);
    expect(property.description, key).toBeTruthy();
  });

  it('the example config points at the schema and loads cleanly', () => {
    expect(existsSync(resolve(dirname(examplePath), example.$schema))).toBe(true);
    const settings = resolveSettings({ file: { path: examplePath, values: example } });
    expect(settings.aliases).toEqual(example.aliases);
    for (const key of Object.keys(example)) expect(schema.properties, key).toHaveProperty([key]);
  });
});

describe('expandAlias', () => {
  const aliases = { fast: 'openai:llama3.1@http://localhost:11434/v1', smart: 'claude-sonnet-4-5', at: 'vertex:claude@2024@https://gw.example/v1' };
  it.each([
    ['fast', { model: 'openai:llama3.1', baseUrl: 'http://localhost:11434/v1' }],
    ['smart', { model: 'claude-sonnet-4-5' }],
    ['at', { model: 'vertex:claude@2024', baseUrl: 'https://gw.example/v1' }],
    ['gpt-4o-mini', { model: 'gpt-4o-mini' }],
  ])('%s -> %o', (name, expected) => {
    expect(expandAlias(name, aliases)).toEqual(expected);
  });

  it.each([
    [{ fast: 42 }, 'Alias "fast" in x.json must be a model id'],
    [{ fast: '@http://x' }, 'Alias "fast" in x.json must be a model id'],
    [['fast'], '"aliases" in x.json must map names to models'],
  ])('refuses %j', (aliases, message) => {
    expect(() => resolveSettings({ file: { path: 'x.json', values: { aliases } } })).toThrow(message);
  });
});
