import { describe, expect, it } from 'vitest';
import { structureOf } from '../../src/core/structured/columns.js';
import { parseCompactSchema } from '../../src/core/structured/compact.js';
import { rejectsResponseFormat } from '../../src/core/structured/request.js';
import { resolveSchema, type JsonSchema } from '../../src/core/structured/schema.js';
import { strictSchema, withoutOptionalNulls } from '../../src/core/structured/strict.js';
import { answerChecker } from '../../src/core/structured/validate.js';

const THREE = parseCompactSchema('sentiment: positive|negative|neutral, confidence: number, topics: string[]');

describe('the compact schema form', () => {
  it.each<[string, JsonSchema['properties'], string[]]>([
    ['label: yes|no', { label: { type: 'string', enum: ['yes', 'no'] } }, ['label']],
    ['n: int, ok?: bool', { n: { type: 'integer' }, ok: { type: 'boolean' } }, ['n']],
    ['tags: (a|b)[], score: number', { tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } }, score: { type: 'number' } }, ['tags', 'score']],
    ['  note : string ,', { note: { type: 'string' } }, ['note']],
  ])('%s', (text, properties, required) => {
    expect(parseCompactSchema(text)).toEqual({ type: 'object', properties, required, additionalProperties: false });
  });

  it.each([
    ['label', /is not a field/],
    ['n: decimal', /unknown type "decimal"/],
    ['a: string, a: number', /names the field "a" twice/],
    [',', /is empty/],
  ])('refuses %j', (text, message) => {
    expect(() => parseCompactSchema(text)).toThrow(message);
  });
});

describe('resolveSchema: --schema, --structured and --choices', () => {
  it.each<[Parameters<typeof resolveSchema>[0], JsonSchema | null | RegExp]>([
    [{ cwd: '.' }, null],
    [{ choices: 'a,b', cwd: '.' }, null],
    [{ structured: true, choices: 'yes, no', cwd: '.' }, { type: 'object', properties: { label: { type: 'string', enum: ['yes', 'no'] } }, required: ['label'], additionalProperties: false }],
    [{ schema: '{"properties": {"x": {"type": "integer"}}}', cwd: '.' }, { type: 'object', properties: { x: { type: 'integer' } } }],
    [{ structured: true, cwd: '.' }, /--structured needs --schema or --choices/],
    [{ schema: 'x: int', structured: true, choices: 'a,b', cwd: '.' }, /give one/],
    [{ schema: 'missing.json', cwd: '.' }, /does not exist/],
    [{ schema: '{"type": "object"}', cwd: '.' }, /must be an object schema with "properties"/],
  ])('%j', (request, expected) => {
    if (expected instanceof RegExp) expect(() => resolveSchema(request)).toThrow(expected);
    else expect(resolveSchema(request)).toEqual(expected);
  });
});

describe('strict mode for OpenAI', () => {
  it('makes every property required, optional ones nullable, and closes every object', () => {
    const schema = parseCompactSchema('a: string, b?: x|y, c?: number[]');
    schema.properties!.d = { type: 'object', properties: { e: { type: 'integer' } } };
    expect(strictSchema(schema)).toEqual({
      type: 'object', additionalProperties: false, required: ['a', 'b', 'c', 'd'],
      properties: {
        a: { type: 'string' },
        b: { type: ['string', 'null'], enum: ['x', 'y', null] },
        c: { type: ['array', 'null'], items: { type: 'number' } },
        d: { type: ['object', 'null'], properties: { e: { type: ['integer', 'null'] } }, required: ['e'], additionalProperties: false },
      },
    });
  });

  it('drops the nulls sent for optional properties, and only those', () => {
    const schema = parseCompactSchema('a: string, b?: string');
    expect(withoutOptionalNulls({ a: null, b: null }, schema)).toEqual({ a: null });
  });
});

describe('answerChecker', () => {
  const check = answerChecker(THREE);
  it.each([
    ['{"sentiment": "positive", "confidence": 0.5, "topics": ["x"]}', { ok: true, text: '{"sentiment":"positive","confidence":0.5,"topics":["x"]}' }],
    ['```json\n{"sentiment": "neutral", "confidence": 1, "topics": []}\n```', { ok: true, text: '{"sentiment":"neutral","confidence":1,"topics":[]}' }],
    ['positive', { ok: false, error: 'the answer is not JSON: "positive"' }],
    ['', { ok: false, error: 'the answer is not JSON: (empty)' }],
    ['{"sentiment": "meh", "confidence": 1, "topics": []}', { ok: false, error: 'the answer does not match the schema: /sentiment must be equal to one of the allowed values (positive, negative, neutral)' }],
    ['{"sentiment": "positive", "topics": [], "extra": 1}', { ok: false, error: "the answer does not match the schema: the answer must have required property 'confidence'; the answer must NOT have additional properties" }],
  ])('%j', (text, expected) => {
    expect(check(text)).toEqual(expected);
  });
});

describe('DuckDB types of schema values', () => {
  it.each<[JsonSchema, unknown]>([
    [{ type: 'string' }, 'VARCHAR'],
    [{ enum: ['a', 'b'] }, 'VARCHAR'],
    [{ type: 'integer' }, 'BIGINT'],
    [{ type: ['number', 'null'] }, 'DOUBLE'],
    [{ type: 'boolean' }, 'BOOLEAN'],
    [{ type: 'array', items: { type: 'integer' } }, ['BIGINT']],
    [{ type: 'object', properties: { a: { type: 'string' } } }, { a: 'VARCHAR' }],
    [{ anyOf: [{ type: 'integer' }, { type: 'null' }] }, 'BIGINT'],
    [{ type: ['string', 'integer'] }, 'JSON'],
    [{ type: 'object' }, 'JSON'],
    [{}, 'JSON'],
  ])('%j', (schema, expected) => {
    expect(structureOf(schema)).toEqual(expected);
  });
});

describe('which 400s mean "no response_format here"', () => {
  it.each([
    [400, "Unsupported parameter: 'response_format' is not supported with this model.", true],
    [400, 'json_schema response format is not supported', true],
    [400, 'guided_json is not available for this model', true],
    [400, 'This model does not support structured output', true],
    [400, 'max_tokens is too large', false],
    [422, 'response_format: field not allowed', false],
    [500, 'response_format broke the server', false],
  ])('%i %s', (status, message, expected) => {
    expect(rejectsResponseFormat(status, message)).toBe(expected);
  });
});
