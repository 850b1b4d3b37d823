import type { JsonSchema } from './schema.js';

/**
 * The schema as OpenAI's strict structured outputs take it: in every object, every property
 * required (an optional one becomes a union with null) and `additionalProperties: false`.
 * The answer is validated against the user's schema after `withoutOptionalNulls`.
 */
export function strictSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (schema.items && typeof schema.items === 'object') out.items = strictSchema(schema.items);
  if (schema.properties) {
    const required = new Set(schema.required ?? []);
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => {
      const strict = strictSchema(property);
      return [name, required.has(name) ? strict : nullable(strict)];
    }));
    out.required = Object.keys(schema.properties);
    out.additionalProperties = false;
  }
  return out;
}

function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') {
    const out: JsonSchema = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
    return out;
  }
  if (Array.isArray(schema.type)) return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

/**
 * Drops the nulls strict mode made the model send for optional properties it had nothing for,
 * so the answer reads as the user's schema means it (an absent field), at every depth.
 */
export function withoutOptionalNulls(value: unknown, schema: JsonSchema): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((item) => withoutOptionalNulls(item, schema.items!)) : value;
  if (value === null || typeof value !== 'object' || !schema.properties) return value;
  const required = new Set(schema.required ?? []);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const property = schema.properties[key];
    if (field === null && property && !required.has(key)) continue;
    out[key] = property ? withoutOptionalNulls(field, property) : field;
  }
  return out;
}
