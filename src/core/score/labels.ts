import { UsageError } from '../errors.js';
import { literal } from '../sql.js';

/**
 * Answer normalisation, as SQL so DuckDB applies it to every row where the rows are (scoring a
 * million rows never brings them into JavaScript). Every function takes a SQL expression and
 * returns one.
 */

/** Characters stripped from both ends of an answer: white space, punctuation (quotes included) and backticks. */
const EDGE = '[\\s\\p{P}`]+';

/**
 * A value as a number, or NULL: surrounding quotes and trailing sentence punctuation ignored
 * (`"42".` -> 42), NaN and infinities refused. A leading minus sign is kept.
 */
export function numberSql(value: string): string {
  const text = `regexp_replace(trim(CAST(${value} AS VARCHAR)), '^["''\`]+|["''\`.,;:!?]+$', '', 'g')`;
  const parsed = `TRY_CAST(${text} AS DOUBLE)`;
  return `CASE WHEN isfinite(${parsed}) THEN ${parsed} END`;
}

/**
 * The label a value stands for, or NULL when nothing is left: trimmed, case-folded, stripped of
 * surrounding punctuation and quotes (` "Positive!". ` -> `positive`). A value that parses as a
 * number becomes its plain form, so a parquet DOUBLE `1.0` and an answer `1` are the same label.
 */
export function labelSql(value: string): string {
  const number = numberSql(value);
  const text = `nullif(regexp_replace(lower(CAST(${value} AS VARCHAR)), '^${EDGE}|${EDGE}$', '', 'g'), '')`;
  const plainNumber = `CASE WHEN ${number} = trunc(${number}) AND abs(${number}) < 1e15 THEN CAST(CAST(${number} AS BIGINT) AS VARCHAR) ELSE CAST(${number} AS VARCHAR) END`;
  return `CASE WHEN ${number} IS NOT NULL THEN ${plainNumber} ELSE ${text} END`;
}

/**
 * With `--choices`, the one allowed label a free-text answer names: the answer itself when it
 * is a choice once normalised, else the choice mentioned as a whole word when exactly one is
 * (`I'd say Positive, overall` -> `positive`); NULL (invalid) when none or several are.
 */
export function choiceSql(value: string, choices: readonly string[]): string {
  const label = labelSql(value);
  const lowered = `lower(CAST(${value} AS VARCHAR))`;
  const mentions = choices.map((c) => `regexp_matches(${lowered}, ${literal(wordPattern(c))})`);
  const count = mentions.map((m) => `CAST(${m} AS INTEGER)`).join(' + ');
  const which = choices.map((c, i) => `WHEN ${mentions[i]} THEN ${literal(c)}`).join(' ');
  return `CASE WHEN ${label} IN (${choices.map(literal).join(', ')}) THEN ${label} WHEN ${count} = 1 THEN CASE ${which} END END`;
}

/** `positive` as a whole word: not inside `positively` or `non_positive`. */
function wordPattern(choice: string): string {
  const escaped = choice.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  return `(^|[^\\p{L}\\p{N}_])${escaped}($|[^\\p{L}\\p{N}_])`;
}

/**
 * `--choices "Positive, negative,neutral"` -> `['positive', 'negative', 'neutral']`: trimmed and
 * case-folded like answers; empty or repeated choices are refused.
 */
export function parseChoices(text: string): string[] {
  const choices = text.split(',').map((c) => c.trim().toLowerCase());
  if (choices.some((c) => c === '')) throw new UsageError(`--choices "${text}" has an empty choice.`, 'List the allowed labels separated by commas, e.g. --choices positive,negative,neutral.');
  const repeated = choices.find((c, i) => choices.indexOf(c) !== i);
  if (repeated) throw new UsageError(`--choices "${text}" lists "${repeated}" twice.`);
  if (choices.length < 2) throw new UsageError(`--choices "${text}" needs at least two labels.`, 'List the allowed labels separated by commas, e.g. --choices yes,no.');
  return choices;
}
