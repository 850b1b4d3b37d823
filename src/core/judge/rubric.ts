import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError } from '../errors.js';
import { bindColumns, parseTemplate, type Template } from '../template.js';

/** A rubric as given: its name (for messages and the record) and its template. */
export interface Rubric {
  name: string;
  prompt: string;
}

/** The folder of the rubrics evalctl ships (`templates/judges/`), found from this module up (src/ or dist/). */
export function rubricsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'templates', 'judges');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new InputError('The judge rubrics that ship with evalctl (templates/judges/) are missing from this install.', 'Reinstall evalctl, or pass a rubric file or an inline prompt.');
}

/** The names of the shipped rubrics: `relevance`, `correctness`, ... (`pairwise` is for --pairwise). */
export function shippedRubrics(): string[] {
  return readdirSync(rubricsDir()).filter((f) => f.endsWith('.txt')).map((f) => basename(f, '.txt')).sort();
}

/**
 * `--judge` / `--pairwise` as a rubric: a shipped rubric's name, a file (relative to `cwd`), or
 * the template itself (anything with a `{placeholder}`).
 */
export function loadRubric(text: string, flag: '--judge' | '--pairwise', cwd: string): Rubric {
  const trimmed = text.trim();
  const shipped = shippedRubrics();
  if (shipped.includes(trimmed)) return { name: trimmed, prompt: readRubric(join(rubricsDir(), `${trimmed}.txt`), flag) };
  const path = resolve(cwd, trimmed);
  if (!trimmed.includes('{') && existsSync(path) && statSync(path).isFile()) return { name: basename(path, extname(path)), prompt: readRubric(path, flag) };
  if (/\{[^{}]+\}/.test(trimmed)) return { name: 'custom', prompt: text };
  const names = shipped.filter((n) => (flag === '--pairwise') === (n === 'pairwise'));
  throw new UsageError(
    `${flag} "${trimmed}" is not a rubric evalctl ships, nor a file, nor a prompt with placeholders.`,
    `Use one of ${names.join(', ')}, the path of a rubric file, or a prompt such as "${flag === '--judge' ? 'Rate 1-5 how polite this is: {prediction}' : 'Which is better? A: {answer_a} B: {answer_b}'}".`,
  );
}

function readRubric(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new InputError(`The rubric ${path} (${flag}) cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}).`, 'Check the path; it is relative to the current directory.', error);
  }
}

/** A rubric bound to a table: the table columns it reads, and a renderer over them plus the named values. */
export interface CompiledRubric {
  readonly template: Template;
  /** Placeholders that are not table columns (`prediction`, `answer_a`, ...), used by the rubric. */
  readonly specials: readonly string[];
  /** Table columns the rubric reads. */
  readonly columns: readonly string[];
  /** A renderer over one row's values of `order` (which must hold `columns`) and the named values. */
  bind(order: readonly string[]): (values: readonly (string | null)[], named: Readonly<Record<string, string | null>>) => string;
}

/**
 * Parses a rubric and binds its placeholders: the `allowed` names (`prediction`, ...) first,
 * the table's columns for the rest (one clear error for a missing one).
 */
export function compileRubric(prompt: string, flag: string, allowed: readonly string[], available: readonly string[], sourceLabel: string): CompiledRubric {
  const template = parseTemplate(prompt, flag);
  const specials = template.columns.filter((c) => allowed.includes(c.trim()));
  const rest = template.columns.filter((c) => !allowed.includes(c.trim()));
  const binding = bindColumns({ ...template, columns: rest }, available, sourceLabel);
  return {
    template,
    specials: specials.map((s) => s.trim()),
    columns: [...new Set(binding.values())],
    bind(order) {
      const pieces = template.parts.map((part) => {
        if (typeof part === 'string') return part;
        const name = part.column.trim();
        return allowed.includes(name) ? { name } : order.indexOf(binding.get(part.column)!);
      });
      return (values, named) => {
        let out = '';
        for (const piece of pieces) {
          if (typeof piece === 'string') out += piece;
          else if (typeof piece === 'number') out += values[piece] ?? '';
          else out += named[piece.name] ?? '';
        }
        return out;
      };
    },
  };
}
