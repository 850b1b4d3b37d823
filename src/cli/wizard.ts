import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Dataset } from '../core/dataset.js';
import { closest, parseTemplate } from '../core/template.js';

/** Where the questions are asked: the terminal by default, any streams in tests. */
export interface WizardIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/** What `create` still needs; a value given on the command line is not asked for. */
export interface CreateAnswers {
  source: string;
  prompt: string;
  model: string;
  targetColumn: string;
  groundTruth?: string;
}

/** Column names that usually hold the expected answer. */
const LIKELY_TRUTH = /^(label|labels|ground_?truth|gold|expected|expected_answer|answer|target|truth|class|category|y)$/i;

/** Thrown when the person presses Ctrl-C or Escape at a question. */
export class WizardCancelled extends Error {}

/**
 * Asks, with @clack/prompts, for what `evalctl create` was not given: the file (its columns are
 * then listed), the prompt (each {placeholder} checked against them), the model, the answer
 * column, and a ground-truth column when one looks likely.
 */
export async function askCreate(io: WizardIO, cwd: string, given: Partial<CreateAnswers>, initial: { model: string; targetColumn: string }): Promise<CreateAnswers> {
  const prompts = await import('@clack/prompts');
  const common = { input: io.input as Readable, output: io.output as Writable };
  const answer = (value: string | symbol): string => {
    if (typeof value === 'symbol' || prompts.isCancel(value)) throw new WizardCancelled();
    return value;
  };
  prompts.intro('evalctl create', common);
  const source = given.source ?? answer(await prompts.text({
    ...common,
    message: 'Which file? (parquet, CSV, TSV, JSONL or JSON)',
    placeholder: 'data.csv',
    validate: (value) => {
      const path = resolve(cwd, value ?? '');
      if (!value) return 'A file is needed.';
      if (!existsSync(path) || !statSync(path).isFile()) return `${value} is not a file here.`;
      return undefined;
    },
  }));
  const dataset = await Dataset.open(resolve(cwd, source));
  const columns = dataset.columns.map((c) => c.name);
  const rows = dataset.rowCount;
  dataset.close();
  prompts.note(columns.join(', '), `${rows.toLocaleString('en-US')} rows; columns`, common);
  const prompt = given.prompt ?? answer(await prompts.text({
    ...common,
    message: 'Prompt? Put a column in braces, e.g. Classify: {' + (columns[1] ?? columns[0]) + '}',
    validate: (value) => placeholderProblem(value ?? '', columns),
  }));
  const model = given.model ?? answer(await prompts.text({ ...common, message: 'Model?', initialValue: initial.model, validate: (v) => (v ? undefined : 'A model is needed.') }));
  const targetColumn = given.targetColumn ?? answer(await prompts.text({ ...common, message: 'Name of the answer column?', initialValue: initial.targetColumn, validate: (v) => (v ? undefined : 'A column name is needed.') }));
  const likely = columns.filter((c) => LIKELY_TRUTH.test(c) && !parseTemplate(prompt).columns.includes(c));
  let groundTruth = given.groundTruth;
  if (groundTruth === undefined && likely.length) {
    const choice = answer(await prompts.select({
      ...common,
      message: 'Score the answers against a ground-truth column?',
      options: [...likely.map((c) => ({ value: c, label: c })), { value: '', label: 'no' }],
    }));
    groundTruth = choice || undefined;
  }
  return { source, prompt, model, targetColumn, ...(groundTruth ? { groundTruth } : {}) };
}

/** Why a typed prompt cannot run on these columns, or undefined when it can. */
export function placeholderProblem(text: string, columns: readonly string[]): string | undefined {
  let used: readonly string[];
  try {
    used = parseTemplate(text).columns;
  } catch (error) {
    return (error as Error).message;
  }
  if (used.length === 0) return 'The prompt reads no column: put one in braces, e.g. {' + columns[0] + '}.';
  const missing = used.find((c) => !columns.includes(c));
  if (!missing) return undefined;
  const suggestion = closest(missing, columns);
  return `There is no column "${missing}".${suggestion ? ` Did you mean "${suggestion}"?` : ''} Columns: ${columns.join(', ')}.`;
}

/** Asks to go ahead once the cost is known; false when the person says no or cancels. */
export async function confirmRun(io: WizardIO, summary: string): Promise<boolean> {
  const prompts = await import('@clack/prompts');
  const go = await prompts.confirm({ input: io.input as Readable, output: io.output as Writable, message: `${summary} Start?` });
  return go === true;
}
