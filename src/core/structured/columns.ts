import { UsageError } from '../errors.js';
import type { OutputColumn } from '../output/columns.js';
import { ident, literal } from '../sql.js';
import { fieldsOf, type JsonSchema } from './schema.js';

/** What `from_json` reads a value as: a DuckDB type name, `[item]` for a list, `{field: ...}` for a struct. */
type Structure = string | Structure[] | { [field: string]: Structure };

/**
 * The DuckDB type a JSON Schema value gets: string (and string enums) VARCHAR, integer BIGINT,
 * number DOUBLE, boolean BOOLEAN, an array of a known item type a list, an object with
 * properties a struct; a union with null is its other type; anything else JSON text.
 */
export function structureOf(schema: JsonSchema): Structure {
  const anyOf = schema.anyOf as JsonSchema[] | undefined;
  if (Array.isArray(anyOf)) {
    const others = anyOf.filter((s) => s.type !== 'null');
    return others.length === 1 ? structureOf(others[0]) : 'JSON';
  }
  const types = (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]).filter((t) => t !== 'null');
  let type = types.length === 1 ? types[0] : undefined;
  if (type === undefined && types.length === 0 && Array.isArray(schema.enum)) {
    type = schema.enum.every((v) => typeof v === 'string' || v === null) ? 'string' : undefined;
  }
  switch (type) {
    case 'string': return 'VARCHAR';
    case 'integer': return 'BIGINT';
    case 'number': return 'DOUBLE';
    case 'boolean': return 'BOOLEAN';
    case 'array': return schema.items && typeof schema.items === 'object' ? [structureOf(schema.items)] : 'JSON';
    case 'object': return schema.properties && Object.keys(schema.properties).length ? Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, structureOf(v)])) : 'JSON';
    default: return 'JSON';
  }
}

/** Suffixes evalctl already uses after a prefix: a field of these names would collide. */
const RESERVED = new Set(['status', 'error', 'raw', 'prompt_tokens', 'completion_tokens', 'correct']);

/** Refuses a schema whose fields would collide with evalctl's own columns. */
export function checkFieldNames(schema: JsonSchema): void {
  for (const field of fieldsOf(schema)) {
    if (RESERVED.has(field)) throw new UsageError(`The schema field "${field}" would collide with evalctl's <target>_${field} column.`, 'Rename the field in the schema.');
  }
}

/**
 * A structured variant's answer columns: `<prefix>` (the validated answer, JSON text), one
 * `<prefix>_<field>` per top-level property with its DuckDB type (lists and structs as JSON
 * text in CSV/TSV, which have no nested types), `<prefix>_status`, `<prefix>_error`, and
 * `<prefix>_raw`: the model's text when it did not parse or validate (`invalid-output`).
 * `x` is the variant's entry in the row-ordered answers, `status` its status expression.
 */
export function structuredColumns(schema: JsonSchema, prefix: string, x: string, status: string, format: string | undefined): OutputColumn[] {
  const ok = `${x}.status IN ('answered', 'cached')`;
  const structure = structureOf(schema);
  const flat = format === 'csv' || format === 'tsv';
  const fields = fieldsOf(schema).map((field) => {
    const type = (structure as Record<string, Structure>)[field];
    const value = `(from_json(${x}.answer, ${literal(JSON.stringify(structure))})).${ident(field)}`;
    const nested = typeof type !== 'string' || type === 'JSON';
    return { name: `${prefix}_${field}`, sql: `CASE WHEN ${ok} THEN ${flat && nested ? `to_json(${value})::VARCHAR` : value} END` };
  });
  return [
    { name: prefix, sql: `CASE WHEN ${ok} THEN ${x}.answer END` },
    ...fields,
    { name: `${prefix}_status`, sql: status },
    { name: `${prefix}_error`, sql: `${x}.error` },
    { name: `${prefix}_raw`, sql: `CASE WHEN ${x}.status = 'failed' THEN ${x}.answer END` },
  ];
}

/**
 * What scoring compares with the ground truth for a structured variant: with one field (e.g.
 * `--structured --choices`), that field's value; with several, the answer's JSON text.
 */
export function scoredField(schema: JsonSchema): string | undefined {
  const fields = fieldsOf(schema);
  return fields.length === 1 ? fields[0] : undefined;
}

/** The SQL of `scoredField`'s value for the row-ordered answers' entry `x` (text, as scoring reads answers). */
export function scoredValue(schema: JsonSchema, x: string): string {
  const field = scoredField(schema);
  const ok = `${x}.status IN ('answered', 'cached')`;
  return field === undefined ? `CASE WHEN ${ok} THEN ${x}.answer END` : `CASE WHEN ${ok} THEN json_extract_string(${x}.answer, ${literal(`$.${JSON.stringify(field)}`)}) END`;
}
