import { existsSync } from 'node:fs';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { ident, literal } from '../sql.js';
import { labelSql, numberSql } from './labels.js';

/**
 * An evaluator as a job spec stores it: its column name and what it is (`exact`, `contains`,
 * `regex:<pattern>`, `json`, `numeric:<tolerance>`, or the absolute path of a code evaluator).
 */
export interface EvaluatorDef {
  name: string;
  spec: string;
}

/** What an evaluator says of one row; `pass` and `score` are null when it could not judge it. */
export interface Verdict {
  pass: boolean | null;
  score: number | null;
  reason: string | null;
  /** Why the evaluator failed on this row (a code evaluator threw); the run goes on. */
  error: string | null;
}

/** The SQL a built-in evaluator adds per row: `pass` (BOOLEAN) and `score` (DOUBLE), NULL where it cannot judge. */
export interface SqlEvaluator {
  readonly kind: 'sql';
  readonly name: string;
  readonly needsGroundTruth: boolean;
  columns(prediction: string, truth: string | null): { pass: string; score: string };
}

/**
 * An evaluator called per row in JavaScript: a code evaluator today; an LLM judge can be one
 * (its calls batched and cached behind `evaluate`). Columns `_pass`, `_score`, `_reason`, `_error`.
 */
export interface RowEvaluator {
  readonly kind: 'row';
  readonly name: string;
  readonly needsGroundTruth: boolean;
  /** `row`: every column's value as text (as a prompt sees it), null for null. */
  evaluate(row: Readonly<Record<string, string | null>>, prediction: string | null): Promise<Verdict>;
}

export type Evaluator = SqlEvaluator | RowEvaluator;

/** Column suffixes each kind adds after `<target>_<name>`. */
export const SQL_SUFFIXES = ['pass', 'score'] as const;
export const ROW_SUFFIXES = ['pass', 'score', 'reason', 'error'] as const;

const BUILT_IN = ['exact', 'contains', 'regex:<pattern>', 'json', 'numeric:<tolerance>'];

/**
 * `--evaluator <spec>` (or a name from the config file's `evaluators`) as a definition, checked:
 * a code evaluator's path is resolved against `cwd` (the config file's are absolute already) and must exist.
 */
export function defineEvaluator(text: string, named: Readonly<Record<string, string>>, cwd: string): EvaluatorDef {
  if (Object.hasOwn(named, text)) return { ...defineEvaluator(named[text], {}, cwd), name: slug(text) };
  const [kind, ...rest] = text.split(':');
  const argument = rest.join(':');
  if (text === 'exact' || text === 'contains' || text === 'json') return { name: text, spec: text };
  if (kind === 'regex' && rest.length) {
    if (argument === '') throw new UsageError('--evaluator regex: needs a pattern.', 'Write it as regex:^(yes|no)$.');
    return { name: 'regex', spec: text };
  }
  if (kind === 'numeric' && rest.length) {
    const tolerance = Number(argument);
    if (argument.trim() === '' || !Number.isFinite(tolerance) || tolerance < 0) throw new UsageError(`--evaluator ${text}: the tolerance must be a number of at least 0.`, 'Write it as numeric:0.5.');
    return { name: 'numeric', spec: `numeric:${tolerance}` };
  }
  if (/\.(m?js|cjs|ts|mts)$/i.test(text) || text.startsWith('.') || isAbsolute(text)) {
    const path = resolve(cwd, text);
    if (/\.(ts|mts)$/i.test(path)) throw new UsageError(`--evaluator ${text}: Node.js 20 cannot load TypeScript.`, 'Compile it to .mjs (or write it in JavaScript) and pass that file.');
    if (!existsSync(path)) throw new UsageError(`--evaluator ${text}: no such file (${path}).`, 'Give the path of a .js or .mjs module whose default export is (row, prediction) => number | boolean | {score, pass, reason}.');
    return { name: slug(basename(path, extname(path))), spec: path };
  }
  const known = [...BUILT_IN, ...Object.keys(named)];
  throw new UsageError(`Unknown --evaluator "${text}".`, `Use one of ${known.join(', ')}, or the path of a .js/.mjs code evaluator.`);
}

/** Every evaluator's name is unique within a job: it names its columns. */
export function checkEvaluatorNames(defs: readonly EvaluatorDef[]): void {
  const seen = new Set<string>();
  for (const def of defs) {
    if (seen.has(def.name)) throw new UsageError(`Two evaluators are both named "${def.name}" (their columns would clash).`, 'Name them apart under "evaluators" in the config file, e.g. {"evaluators": {"is_label": "regex:^(yes|no)$"}}.');
    seen.add(def.name);
  }
}

/** The evaluator a definition stands for: built-ins as SQL, code evaluators loaded as modules. */
export async function loadEvaluator(def: EvaluatorDef): Promise<Evaluator> {
  const builtIn = builtInEvaluator(def);
  if (builtIn) return builtIn;
  const { loadCodeEvaluator } = await import('./code-evaluator.js');
  return loadCodeEvaluator(def);
}

/** A built-in evaluator as SQL, or undefined for a code evaluator. */
export function builtInEvaluator(def: EvaluatorDef): SqlEvaluator | undefined {
  const [kind, ...rest] = def.spec.split(':');
  const argument = rest.join(':');
  const sql = (needsGroundTruth: boolean, pass: (p: string, t: string) => string): SqlEvaluator => ({
    kind: 'sql', name: def.name, needsGroundTruth,
    // A row without an answer (or without the ground truth it needs) is not judged: NULL.
    columns: (p, t) => {
      const condition = needsGroundTruth ? `${p} IS NOT NULL AND ${labelSql(t ?? 'NULL')} IS NOT NULL` : `${p} IS NOT NULL`;
      const verdict = `CASE WHEN ${condition} THEN coalesce(${pass(p, t ?? 'NULL')}, false) END`;
      return { pass: verdict, score: `CAST(${verdict} AS DOUBLE)` };
    },
  });
  const text = (p: string) => `CAST(${p} AS VARCHAR)`;
  if (def.spec === 'exact') return sql(true, (p, t) => `${labelSql(p)} = ${labelSql(t)}`);
  if (def.spec === 'contains') return sql(true, (p, t) => `contains(lower(${text(p)}), ${labelSql(t)})`);
  // A JSON answer in a Markdown code fence (```json ... ```) still parses.
  if (def.spec === 'json') return sql(false, (p) => `json_valid(regexp_replace(trim(${text(p)}), '^\`\`\`(json)?\\s*|\\s*\`\`\`$', '', 'g'))`);
  if (kind === 'regex' && rest.length) return sql(false, (p) => `regexp_matches(${text(p)}, ${literal(argument)})`);
  if (kind === 'numeric' && rest.length) return sql(true, (p, t) => `abs(${numberSql(p)} - ${numberSql(t)}) <= ${Number(argument)}`);
  return undefined;
}

/** The output columns of evaluator `name` on prediction column `prefix`. */
export function evaluatorColumn(prefix: string, name: string, suffix: string): string {
  return `${prefix}_${name}_${suffix}`;
}

/** `evaluatorColumn` quoted for SQL. */
export function evaluatorRef(prefix: string, name: string, suffix: string): string {
  return ident(evaluatorColumn(prefix, name, suffix));
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase() || 'evaluator';
}
