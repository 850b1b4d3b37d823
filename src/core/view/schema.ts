import type { Column } from '../dataset.js';
import type { JobRecord } from '../jobs.js';
import { variantPrefix } from '../output/columns.js';
import { parseTemplate, type TemplatePart } from '../template.js';

/** The columns of one evaluator (or the judge) beside a variant's answer; null where the file has none. */
export interface EvaluatorColumns {
  name: string;
  pass: string | null;
  score: string | null;
  reason: string | null;
}

/** One variant's columns in an output file, found by evalctl's naming (see `answerColumns`). */
export interface ViewVariant {
  name: string;
  model: string | null;
  answer: string;
  status: string | null;
  error: string | null;
  correct: string | null;
  promptTokens: string | null;
  completionTokens: string | null;
  /** `<prefix>_judge_*` when present (an LLM judge), also listed in `evaluators`. */
  judge: EvaluatorColumns | null;
  evaluators: EvaluatorColumns[];
  /** The prompt template's parts, to render a row's prompt; null for a file without its job. */
  template: TemplatePart[] | null;
  system: string | null;
}

/**
 * What the viewer knows about an output file: its columns, the ground truth, and each variant's
 * columns. Every column name a query uses comes from here, never from a request.
 */
export interface ViewSchema {
  columns: Column[];
  groundTruth: string | null;
  choices: string[] | null;
  /** Input columns the prompts read (all text columns for a file without its job): searched by `q`. */
  promptColumns: string[];
  variants: ViewVariant[];
}

/**
 * Finds the variants of `columns`. With the job, its spec names them; without, a variant is any
 * column `c` with `c_status` and `c_error` beside it, as evalctl writes them.
 */
export function viewSchema(columns: readonly Column[], job?: Pick<JobRecord, 'settings'>): ViewSchema {
  const names = new Set(columns.map((c) => c.name));
  const has = (name: string) => (names.has(name) ? name : null);
  const spec = job?.settings;
  const prefixes = spec
    ? spec.variants.map((v, i) => ({ prefix: variantPrefix(spec, i), name: v.name, model: v.model, prompt: v.prompt, system: v.system }))
    : columns.filter((c) => names.has(`${c.name}_status`) && names.has(`${c.name}_error`))
      .map((c) => ({ prefix: c.name, name: c.name, model: null, prompt: null, system: null }));
  const allPrefixes = prefixes.map((p) => p.prefix);
  const variants = prefixes.filter((p) => names.has(p.prefix)).map((p): ViewVariant => {
    const evaluators = evaluatorNames(columns, p.prefix, allPrefixes).map((name) => ({
      name, pass: has(`${p.prefix}_${name}_pass`), score: has(`${p.prefix}_${name}_score`), reason: has(`${p.prefix}_${name}_reason`),
    }));
    return {
      name: p.name, model: p.model, answer: p.prefix,
      status: has(`${p.prefix}_status`), error: has(`${p.prefix}_error`), correct: has(`${p.prefix}_correct`),
      promptTokens: has(`${p.prefix}_prompt_tokens`), completionTokens: has(`${p.prefix}_completion_tokens`),
      judge: evaluators.find((e) => e.name === 'judge') ?? null,
      evaluators,
      template: p.prompt === null ? null : [...parseTemplate(p.prompt).parts],
      system: p.system,
    };
  });
  const generated = new Set(variants.flatMap((v) => ownedColumns(columns, v.answer, allPrefixes)));
  const input = columns.filter((c) => !generated.has(c.name));
  const templated = new Set(variants.flatMap((v) => (v.template ?? []).flatMap((part) => (typeof part === 'string' ? [] : [part.column]))));
  const promptColumns = templated.size
    ? input.filter((c) => templated.has(c.name)).map((c) => c.name)
    : input.filter((c) => c.type === 'VARCHAR').map((c) => c.name);
  const groundTruth = spec?.scoring?.ground_truth ?? null;
  return { columns: [...columns], groundTruth: groundTruth !== null && names.has(groundTruth) ? groundTruth : null, choices: spec?.scoring?.choices ?? null, promptColumns, variants };
}

/** Evaluator names `x` with a `<prefix>_x_pass` or `<prefix>_x_score` column that no longer variant prefix claims. */
function evaluatorNames(columns: readonly Column[], prefix: string, prefixes: readonly string[]): string[] {
  const found = new Set<string>();
  for (const name of ownedColumns(columns, prefix, prefixes)) {
    const match = /^(.+)_(pass|score|reason)$/.exec(name.slice(prefix.length + 1));
    if (match) found.add(match[1]);
  }
  return [...found];
}

/** The variant's own columns: its answer and every `<prefix>_*` column not under a longer prefix. */
function ownedColumns(columns: readonly Column[], prefix: string, prefixes: readonly string[]): string[] {
  const longer = prefixes.filter((p) => p !== prefix && p.startsWith(`${prefix}_`));
  return columns.map((c) => c.name).filter((name) => (name === prefix || name.startsWith(`${prefix}_`)) && !longer.some((p) => name === p || name.startsWith(`${p}_`)));
}
