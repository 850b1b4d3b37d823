import type { DuckDBConnection } from '@duckdb/node-api';
import type { Agreement } from '../jobs.js';

/**
 * How often the variants gave the same answer, answers compared after trimming and
 * case-folding, over the rows where every variant has one (answered or cached). With three or
 * more variants, each pair too. `answers` is the row-ordered answers relation (see writeOutput).
 */
export async function agreementOf(connection: DuckDBConnection, answers: string, names: readonly string[]): Promise<Agreement | null> {
  if (names.length < 2) return null;
  const norm = (i: number) => `lower(trim(a[${i + 1}].answer))`;
  const has = (i: number) => `(a[${i + 1}].answer IS NOT NULL AND coalesce(a[${i + 1}].status, 'answered') <> 'failed' AND a[${i + 1}].error IS NULL)`;
  const all = names.map((_, i) => has(i)).join(' AND ');
  const same = names.slice(1).map((_, i) => `${norm(0)} = ${norm(i + 1)}`).join(' AND ');
  const pairs: [number, number][] = [];
  if (names.length > 2) for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) pairs.push([i, j]);
  const pairSql = pairs.flatMap(([i, j]) => [
    `count(*) FILTER (WHERE ${has(i)} AND ${has(j)})::DOUBLE`,
    `count(*) FILTER (WHERE ${has(i)} AND ${has(j)} AND ${norm(i)} = ${norm(j)})::DOUBLE`,
  ]);
  const sql = `SELECT ${[`count(*) FILTER (WHERE ${all})::DOUBLE`, `count(*) FILTER (WHERE ${all} AND ${same})::DOUBLE`, ...pairSql].join(', ')} FROM ${answers}`;
  const row = (await connection.runAndReadAll(sql)).getRows()[0].map(Number);
  const rate = (compared: number, agreed: number) => (compared > 0 ? agreed / compared : null);
  return {
    rows_compared: row[0],
    rate: rate(row[0], row[1]),
    ...(pairs.length ? { pairs: pairs.map(([i, j], k) => ({ a: names[i], b: names[j], rows_compared: row[2 + 2 * k], rate: rate(row[2 + 2 * k], row[3 + 2 * k]) })) } : {}),
  };
}
