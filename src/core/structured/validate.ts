import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from './schema.js';
import { withoutOptionalNulls } from './strict.js';

/** A checked answer: the JSON text to keep, or why it is not an answer (the raw text is kept apart). */
export type Checked = { ok: true; text: string } | { ok: false; error: string };

const require = createRequire(import.meta.url);

/**
 * Compiles `schema` once and returns the check every answer of a structured variant goes
 * through: it must parse as JSON (a fenced ```json block is unwrapped: prompt-mode answers
 * often come so) and validate (ajv, all errors collected, summarised in one line).
 */
export function answerChecker(schema: JsonSchema): (text: string) => Checked {
  const Ajv = require('ajv') as typeof import('ajv').default;
  // `strict: false`: keywords ajv does not know (titles, OpenAI extensions) are ignored, not fatal.
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate: ValidateFunction = ajv.compile(schema);
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(unfenced(text));
    } catch {
      return { ok: false, error: `the answer is not JSON: ${preview(text)}` };
    }
    value = withoutOptionalNulls(value, schema);
    if (!validate(value)) {
      const problems = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || 'the answer'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`);
      return { ok: false, error: `the answer does not match the schema: ${problems.join('; ')}` };
    }
    return { ok: true, text: JSON.stringify(value) };
  };
}

function unfenced(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  return fenced ? fenced[1] : text;
}

function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line === '' ? '(empty)' : `"${line.length > 80 ? `${line.slice(0, 79)}…` : line}"`;
}
