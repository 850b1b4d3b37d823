// Checks an output file independently of evalctl: row count, answers, errors, and that each
// row's answer is the stub's answer to that row's own prompt (no row answered for another).
import { duckdb } from '../test/helpers/table.js';
import { ident, literal } from '../src/core/sql.js';

export interface OutputCheck {
  rows: number;
  distinctIds: number;
  answered: number;
  errors: number;
  /** rows whose answer is exactly 'A:' + that row's rendered prompt */
  correct: number;
}

/** `'A:' || 'Classify: ' || "review"`: the stub's answer to a template, as SQL. */
function expectedAnswerSql(template: string): string {
  const parts = template.split(/(\{[^{}]+\})/).filter((p) => p !== '');
  const sql = parts.map((p) => (p.startsWith('{') ? `coalesce(${ident(p.slice(1, -1))}::VARCHAR, '')` : literal(p)));
  return [literal('A:'), ...sql].join(' || ');
}

export async function checkOutput(path: string, template: string, target = 'prediction'): Promise<OutputCheck> {
  const reader = path.endsWith('.parquet') ? `read_parquet(${literal(path)})` : `read_csv(${literal(path)}, header = true, all_varchar = true)`;
  const answer = ident(target), error = ident(`${target}_error`);
  const [row] = await duckdb(`SELECT count(*) AS rows, count(DISTINCT id) AS ids, count(${answer}) AS answered,
      count(${error}) FILTER (WHERE ${error} <> '') AS errors,
      count(*) FILTER (WHERE ${answer} = ${expectedAnswerSql(template)}) AS correct
    FROM ${reader}`);
  return { rows: Number(row.rows), distinctIds: Number(row.ids), answered: Number(row.answered), errors: Number(row.errors), correct: Number(row.correct) };
}
