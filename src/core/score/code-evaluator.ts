import { pathToFileURL } from 'node:url';
import { UsageError, messageOf } from '../errors.js';
import type { EvaluatorDef, RowEvaluator, Verdict } from './evaluators.js';

/**
 * A code evaluator: a module whose default export is
 * `(row, prediction) => number | boolean | {score?, pass?, reason?}` (or a promise of one).
 * A boolean is a pass or fail (score 1 or 0); a number is a score, passing at 0.5 or more; an
 * object says what it says, `pass` defaulting to `score >= 0.5`. A throw, or a value of another
 * shape, is an error on that row, with its message; the other rows go on.
 */
export async function loadCodeEvaluator(def: EvaluatorDef): Promise<RowEvaluator> {
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(def.spec).href);
  } catch (error) {
    throw new UsageError(`Cannot load the evaluator ${def.spec}: ${messageOf(error).split('\n')[0]}`, 'Fix the module; it must be an ES module (.mjs, or .js in a "type": "module" package) or CommonJS.');
  }
  const check = typeof module.default === 'function' ? module.default
    : typeof (module.default as { default?: unknown })?.default === 'function' ? (module.default as { default: unknown }).default
    : undefined;
  if (typeof check !== 'function') {
    throw new UsageError(`The evaluator ${def.spec} has no default export function.`, 'Write `export default (row, prediction) => prediction === row.label`.');
  }
  return {
    kind: 'row',
    name: def.name,
    needsGroundTruth: false,
    async evaluate(row, prediction) {
      try {
        return verdictOf(await (check as (row: unknown, prediction: unknown) => unknown)(row, prediction));
      } catch (error) {
        return { pass: null, score: null, reason: null, error: messageOf(error).split('\n')[0] || 'threw' };
      }
    },
  };
}

export function verdictOf(value: unknown): Verdict {
  if (typeof value === 'boolean') return { pass: value, score: value ? 1 : 0, reason: null, error: null };
  if (typeof value === 'number' && Number.isFinite(value)) return { pass: value >= 0.5, score: value, reason: null, error: null };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { score, pass, reason } = value as Record<string, unknown>;
    const okScore = score === undefined || score === null || (typeof score === 'number' && Number.isFinite(score));
    const okPass = pass === undefined || pass === null || typeof pass === 'boolean';
    if (okScore && okPass && (typeof score === 'number' || typeof pass === 'boolean')) {
      const s = typeof score === 'number' ? score : pass ? 1 : 0;
      return { pass: typeof pass === 'boolean' ? pass : s >= 0.5, score: s, reason: reason === undefined || reason === null ? null : String(reason), error: null };
    }
  }
  return { pass: null, score: null, reason: null, error: `returned ${describe(value)}, not a number, a boolean or {score, pass, reason}` };
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? String(value);
  } catch {
    return String(value);
  }
}
