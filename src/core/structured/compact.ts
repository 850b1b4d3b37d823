import { UsageError } from '../errors.js';
import type { JsonSchema } from './schema.js';

const TYPES: Record<string, JsonSchema> = {
  string: { type: 'string' }, str: { type: 'string' }, text: { type: 'string' },
  number: { type: 'number' }, float: { type: 'number' }, double: { type: 'number' },
  integer: { type: 'integer' }, int: { type: 'integer' },
  boolean: { type: 'boolean' }, bool: { type: 'boolean' },
};

const FIELD = /^([A-Za-z_][A-Za-z0-9_]*)(\?)?\s*:\s*(.+)$/;

/**
 * The compact schema form: `name: type` pairs separated by commas. A type is `string`,
 * `number`, `integer`, `boolean`, `a|b|c` (one of these strings), any of them followed by `[]`
 * (a list). A name ending in `?` is optional.
 *
 * @example parseCompactSchema('sentiment: positive|negative|neutral, confidence: number, topics: string[]')
 */
export function parseCompactSchema(text: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const part of text.split(',')) {
    const field = part.trim();
    if (field === '') continue;
    const match = FIELD.exec(field);
    if (!match) {
      throw new UsageError(`--schema "${field}" is not a field: write name: type.`, "For example --schema 'sentiment: positive|negative|neutral, confidence: number, topics: string[]'.");
    }
    const [, name, optional, typeText] = match;
    if (properties[name]) throw new UsageError(`--schema names the field "${name}" twice.`);
    properties[name] = typeOf(typeText.trim(), name);
    if (!optional) required.push(name);
  }
  if (Object.keys(properties).length === 0) throw new UsageError('--schema is empty.', "Name at least one field, e.g. --schema 'label: yes|no'.");
  return { type: 'object', properties, required, additionalProperties: false };
}

function typeOf(text: string, name: string): JsonSchema {
  if (text.endsWith('[]')) return { type: 'array', items: typeOf(text.slice(0, -2).trim().replace(/^\((.*)\)$/, '$1'), name) };
  const known = TYPES[text.toLowerCase()];
  if (known) return { ...known };
  const choices = text.split('|').map((c) => c.trim());
  if (choices.length < 2 || choices.some((c) => c === '')) {
    throw new UsageError(`--schema: the field "${name}" has an unknown type "${text}".`, 'Use string, number, integer, boolean, a list such as string[], or choices such as yes|no.');
  }
  return { type: 'string', enum: choices };
}
