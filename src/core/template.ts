import { UsageError, InputError } from './errors.js';

/** A parsed prompt template: literal text with `{column}` placeholders. */
export interface Template {
  /** The template as the user wrote it. */
  readonly text: string;
  /** Literal strings and placeholders, in order. */
  readonly parts: readonly TemplatePart[];
  /** Distinct column names the template reads, in order of first use. */
  readonly columns: readonly string[];
}

export type TemplatePart = string | { readonly column: string };

/**
 * Parses `{column}` placeholders; `{{` and `}}` are literal braces. A column name is everything
 * between the braces, spaces and punctuation included (`{Product Name}`).
 *
 * @example parseTemplate('Classify: {review} {{json}}').columns // ['review']
 */
export function parseTemplate(text: string, label = '--prompt'): Template {
  if (text.trim() === '') {
    throw new UsageError(`The prompt template (${label}) is empty.`, 'Give a prompt such as --prompt "Classify: {review}".');
  }
  const parts: TemplatePart[] = [];
  const columns: string[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '{' && text[i + 1] === '{') { literal += '{'; i += 2; continue; }
    if (ch === '}' && text[i + 1] === '}') { literal += '}'; i += 2; continue; }
    if (ch === '}') {
      throw new UsageError(
        `The prompt template (${label}) has an unmatched "}" at character ${i + 1}.`,
        'Write "}}" for a literal brace.',
      );
    }
    if (ch === '{') {
      const close = text.indexOf('}', i + 1);
      const nextOpen = text.indexOf('{', i + 1);
      if (close === -1 || (nextOpen !== -1 && nextOpen < close)) {
        throw new UsageError(
          `The prompt template (${label}) has an unclosed "{" at character ${i + 1}.`,
          'Close the placeholder as {column}, or write "{{" for a literal brace.',
        );
      }
      const column = text.slice(i + 1, close);
      if (column.trim() === '') {
        throw new UsageError(
          `The prompt template (${label}) has an empty placeholder "{}" at character ${i + 1}.`,
          'Name a column inside the braces, or write "{{}}" for literal braces.',
        );
      }
      if (literal) { parts.push(literal); literal = ''; }
      parts.push({ column });
      if (!columns.includes(column)) columns.push(column);
      i = close + 1;
      continue;
    }
    literal += ch;
    i += 1;
  }
  if (literal) parts.push(literal);
  return { text, parts, columns };
}

/**
 * Things worth a warning (not an error) about a parsed template, one line each. Today: a
 * template with no placeholder sends every row the same prompt, which is allowed (the run goes
 * on) but rarely meant.
 *
 * @example templateWarnings(parseTemplate('Say hi')) // ['The prompt (--prompt) has no {column} placeholder: every row gets the same prompt.']
 */
export function templateWarnings(template: Template, label = '--prompt'): string[] {
  return template.columns.length === 0
    ? [`The prompt (${label}) has no {column} placeholder: every row gets the same prompt.`]
    : [];
}

/**
 * Maps each placeholder to a column of the table, or throws naming the culprit, the columns
 * that exist and the nearest match. `{ review }` matches a column `review` when no column is
 * named with the spaces.
 */
export function bindColumns(template: Template, available: readonly string[], sourceLabel: string): Map<string, string> {
  const binding = new Map<string, string>();
  for (const placeholder of template.columns) {
    const match = available.includes(placeholder)
      ? placeholder
      : available.find((name) => name === placeholder.trim());
    if (match === undefined) {
      const suggestion = closest(placeholder, available);
      const listed = available.length > 30 ? `${available.slice(0, 30).join(', ')}, …` : available.join(', ');
      throw new InputError(
        `Column "${placeholder}" in the prompt is not in ${sourceLabel} (columns: ${listed}).` +
          (suggestion ? ` Did you mean "${suggestion}"?` : ''),
        'Placeholders are {column} with the exact column name; write {{ and }} for literal braces.',
      );
    }
    binding.set(placeholder, match);
  }
  return binding;
}

/**
 * Compiles a template into a function from one row's rendered values (in `columnOrder`) to the
 * prompt text. Null renders as the empty string.
 */
export function compileTemplate(
  template: Template,
  columnOrder: readonly string[],
  binding: ReadonlyMap<string, string>,
): (values: readonly (string | null)[]) => string {
  const pieces = template.parts.map((part) =>
    typeof part === 'string' ? part : columnOrder.indexOf(binding.get(part.column) ?? part.column),
  );
  return (values) => {
    let out = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') out += piece;
      else out += values[piece] ?? '';
    }
    return out;
  };
}

/** The candidate nearest to `name` (case-insensitive edit distance), if it is plausibly a typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.trim().toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) { best = candidate; bestDistance = distance; }
  }
  return bestDistance <= Math.max(2, Math.floor(lower.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
