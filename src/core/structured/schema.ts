import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { parseCompactSchema } from './compact.js';

/**
 * A JSON Schema (the subset evalctl reads to type columns; any other keyword is kept and left
 * to the validator). The root of an answer schema is always an object with `properties`:
 * each top-level property becomes a column.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  additionalProperties?: boolean | JsonSchema;
  [keyword: string]: unknown;
}

/** How `create` was asked for structured output. */
export interface SchemaRequest {
  /** `--schema`: a .json file, inline JSON, or the compact form `name: type, ...`. */
  readonly schema?: string | JsonSchema;
  /** `--structured`: with `--choices`, ask for a one-field enum `{label: a|b|c}`. */
  readonly structured?: boolean;
  /** `--choices a,b,c` (scoring's labels). */
  readonly choices?: string;
  readonly cwd: string;
}

/** The field `--structured --choices` asks for. */
export const CHOICE_FIELD = 'label';

/**
 * The answer schema a job asks for, or null for free text. `--choices` alone keeps its scoring
 * meaning (a free-text answer mapped to a label); with `--structured` it also asks the model
 * for `{"label": <one of the choices>}`.
 */
export function resolveSchema(request: SchemaRequest): JsonSchema | null {
  const { schema, structured, choices } = request;
  if (schema !== undefined && structured && choices !== undefined) {
    throw new UsageError('--schema and --structured --choices both describe the answer; give one.', `For a one-field enum either is fine: --schema '${CHOICE_FIELD}: ${choices.split(',').map((c) => c.trim()).join('|')}'.`);
  }
  if (schema !== undefined) return checkSchema(typeof schema === 'string' ? readSchema(schema, request.cwd) : schema, '--schema');
  if (!structured) return null;
  if (choices === undefined) {
    throw new UsageError('--structured needs --schema or --choices to say what the answer holds.', "For example --schema 'sentiment: positive|negative|neutral, confidence: number'.");
  }
  const labels = choices.split(',').map((c) => c.trim()).filter(Boolean);
  return { type: 'object', properties: { [CHOICE_FIELD]: { type: 'string', enum: labels } }, required: [CHOICE_FIELD], additionalProperties: false };
}

function readSchema(value: string, cwd: string): JsonSchema {
  const text = value.trim();
  if (text.startsWith('{')) return parseJson(text, '--schema');
  const path = resolve(cwd, text);
  if (/\.json$/i.test(text) || existsSync(path)) {
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(`The schema file ${text} (--schema) ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'unknown error'})`}.`, 'Check the path; it is relative to the current directory.', error);
    }
    return parseJson(content, text);
  }
  return parseCompactSchema(text);
}

function parseJson(text: string, label: string): JsonSchema {
  try {
    return JSON.parse(text) as JsonSchema;
  } catch (error) {
    throw new UsageError(`The schema ${label} is not valid JSON (${(error as Error).message.split('\n')[0]}).`, 'Give a JSON Schema object such as {"type": "object", "properties": {"label": {"type": "string"}}}.');
  }
}

/** The root must be an object schema with at least one property: each becomes a column. */
export function checkSchema(schema: unknown, label: string): JsonSchema {
  const s = schema as JsonSchema;
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(s) || !isObject(s.properties) || Object.keys(s.properties!).length === 0 || (s.type !== undefined && s.type !== 'object')) {
    throw new UsageError(`The schema ${label} must be an object schema with "properties" (each becomes a column).`, 'For example {"type": "object", "properties": {"label": {"type": "string"}}}, or the compact form --schema \'label: a|b|c, score: number\'.');
  }
  return { type: 'object', ...s };
}

/** Names of the top-level fields, in order: one column each. */
export function fieldsOf(schema: JsonSchema): string[] {
  return Object.keys(schema.properties ?? {});
}
