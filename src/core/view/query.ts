import { UsageError } from '../errors.js';
import { outcomeSql, predictedLabelSql } from '../score/columns.js';
import { labelSql } from '../score/labels.js';
import { ident, renderExpression } from '../sql.js';
import type { ViewSchema, ViewVariant } from './schema.js';

/** The row number column the viewer adds: rows are numbered 0.. in file order. */
export const VIEW_ROW = '__row';
export const MAX_PAGE_SIZE = 200;
/** Longest cell text a page carries; the rest is cut (a row's full answer is in the file). */
export const MAX_CELL_CHARS = 20_000;

/** What a page of rows asks for, checked against the schema; built only by `parseRowQuery`. */
export interface RowQuery {
  offset: number;
  limit: number;
  /** A column of the schema, or `__row` (file order). */
  sort: string;
  descending: boolean;
  /** The variant the per-variant filters look at (index into `schema.variants`). */
  variant: number;
  failed: boolean;
  invalid: boolean;
  incorrect: boolean;
  /** Rows whose ground truth is this label (normalised as scoring does). */
  truth: string | null;
  /** Rows whose answer names this label (answered rows only). */
  predicted: string | null;
  /** `pass` or `fail` on the variant's judge (or first evaluator with a pass column). */
  judge: 'pass' | 'fail' | null;
  /** Rows where every variant answered and they do not all agree. */
  disagree: boolean;
  /** Case-insensitive text search over the prompt columns and the answers. */
  search: string | null;
}

/** A statement and its named parameters; the SQL text holds only whitelisted, quoted names. */
export interface Statement {
  sql: string;
  params: Record<string, string | number>;
}

/** Reads a row query from URL parameters; anything that is not a known value is refused with a UsageError. */
export function parseRowQuery(params: URLSearchParams, schema: ViewSchema): RowQuery {
  const integer = (key: string, fallback: number, max: number) => {
    const text = params.get(key);
    if (text === null || text === '') return fallback;
    if (!/^\d+$/.test(text) || Number(text) > max) throw new UsageError(`${key} must be a whole number from 0 to ${max}, not "${text}".`);
    return Number(text);
  };
  const flag = (key: string) => params.get(key) === '1' || params.get(key) === 'true';
  const sort = params.get('sort') || VIEW_ROW;
  if (sort !== VIEW_ROW && !schema.columns.some((c) => c.name === sort)) throw new UsageError(`Cannot sort by "${sort}": no such column.`);
  const variant = integer('variant', 0, Math.max(0, schema.variants.length - 1));
  const judge = params.get('judge');
  if (judge !== null && judge !== '' && judge !== 'pass' && judge !== 'fail') throw new UsageError(`judge must be pass or fail, not "${judge}".`);
  const text = (key: string) => params.get(key) || null;
  return {
    offset: integer('offset', 0, Number.MAX_SAFE_INTEGER),
    limit: Math.max(1, integer('limit', 50, MAX_PAGE_SIZE)),
    sort,
    descending: params.get('dir') === 'desc',
    variant,
    failed: flag('failed'),
    invalid: flag('invalid'),
    incorrect: flag('incorrect'),
    truth: text('truth'),
    predicted: text('predicted'),
    judge: judge === 'pass' || judge === 'fail' ? judge : null,
    disagree: flag('disagree'),
    search: text('q'),
  };
}

/** `q` as an ILIKE pattern matching the text anywhere, its own `%`, `_` and `\` taken literally. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** SQL of the per-row figures the page shows and filters on: the normalised truth, each variant's outcome and label. */
export function derivedColumns(schema: ViewSchema): { name: string; sql: string }[] {
  const columns = [{ name: '__truth', sql: schema.groundTruth === null ? 'NULL::VARCHAR' : labelSql(ident(schema.groundTruth)) }];
  schema.variants.forEach((v, i) => {
    columns.push({ name: `__outcome_${i}`, sql: outcome(v) }, { name: `__label_${i}`, sql: `CASE WHEN ${outcome(v)} = 'answered' THEN ${predictedLabelSql(ident(v.answer), schema.choices)} END` });
  });
  return columns;
}

/** The WHERE clause of a row query and its parameters. */
export function whereClause(query: RowQuery, schema: ViewSchema): Statement {
  const conditions: string[] = [];
  const params: Record<string, string | number> = {};
  const v = schema.variants[query.variant];
  if (v) {
    const answered = `${outcome(v)} = 'answered'`;
    const truth = schema.groundTruth === null ? null : labelSql(ident(schema.groundTruth));
    const label = predictedLabelSql(ident(v.answer), schema.choices);
    if (query.failed) conditions.push(`${outcome(v)} = 'failed'`);
    // As the metrics count invalid answers: answered, naming no label (and, with a ground truth, scored).
    if (query.invalid) conditions.push(`${answered} AND ${label} IS NULL${truth ? ` AND ${truth} IS NOT NULL` : ''}`);
    if (query.incorrect) conditions.push(v.correct ? `TRY_CAST(${ident(v.correct)} AS BOOLEAN) = false` : 'false');
    // A parameter is bound only where the SQL uses it: DuckDB refuses unused ones.
    if (query.truth !== null) conditions.push(truth ? `${truth} = $truth` : 'false');
    if (query.truth !== null && truth) params.truth = query.truth;
    if (query.predicted !== null) { conditions.push(`${answered} AND ${label} = $predicted`); params.predicted = query.predicted; }
    const judge = v.judge?.pass ?? v.evaluators.find((e) => e.pass)?.pass ?? null;
    if (query.judge) conditions.push(judge ? `TRY_CAST(${ident(judge)} AS BOOLEAN) = ${query.judge === 'pass'}` : 'false');
  }
  if (query.disagree) conditions.push(disagreement(schema.variants));
  if (query.search !== null) {
    const searched = [...schema.promptColumns, ...schema.variants.map((x) => x.answer)];
    conditions.push(searched.length ? `(${searched.map((c) => `CAST(${ident(c)} AS VARCHAR) ILIKE $search ESCAPE '\\'`).join(' OR ')})` : 'false');
    if (searched.length) params.search = likePattern(query.search);
  }
  return { sql: conditions.length ? `WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '', params };
}

/** The columns a page carries: `__row`, every column rendered as text (cut at `maxChars`), and the derived figures. */
export function selectList(schema: ViewSchema, maxChars = MAX_CELL_CHARS): string {
  const cells = schema.columns.map((c) => `left(${renderExpression(c.name, c.type)}, ${maxChars}) AS ${ident(c.name)}`);
  const derived = derivedColumns(schema).map((d) => `${d.sql} AS ${ident(d.name)}`);
  return [VIEW_ROW, ...cells, ...derived].join(', ');
}

/** One page of rows in the asked order. */
export function pageStatement(query: RowQuery, schema: ViewSchema, relation: string): Statement {
  const where = whereClause(query, schema);
  // File order needs no sort: the reader keeps insertion order, so LIMIT stops reading early.
  const order = query.sort === VIEW_ROW
    ? (query.descending ? `ORDER BY ${VIEW_ROW} DESC` : '')
    : `ORDER BY ${ident(query.sort)} ${query.descending ? 'DESC' : 'ASC'} NULLS LAST, ${VIEW_ROW}`;
  return {
    sql: `SELECT ${selectList(schema)} FROM ${relation} ${where.sql} ${order} LIMIT $limit OFFSET $offset`,
    params: { ...where.params, limit: query.limit, offset: query.offset },
  };
}

/** A query with no filter, in file order: the start of the helpers below. */
export function blankQuery(overrides: Partial<RowQuery> = {}): RowQuery {
  return { offset: 0, limit: 50, sort: VIEW_ROW, descending: false, variant: 0, failed: false, invalid: false, incorrect: false, truth: null, predicted: null, judge: null, disagree: false, search: null, ...overrides };
}

/** SQL true for the rows a report must keep: failed, invalid or incorrect for some variant. */
export function mattersCondition(schema: ViewSchema): string {
  const parts = schema.variants.flatMap((_, variant) => (['failed', 'invalid', 'incorrect'] as const)
    .map((flag) => whereClause(blankQuery({ variant, [flag]: true }), schema).sql.replace(/^WHERE /, '')));
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}

/** How many rows the query's filters keep. */
export function countStatement(query: RowQuery, schema: ViewSchema, relation: string): Statement {
  const where = whereClause(query, schema);
  return { sql: `SELECT count(*)::DOUBLE AS n FROM ${relation} ${where.sql}`, params: where.params };
}

function outcome(v: ViewVariant): string {
  // A file without `_status` columns: a null answer was not run (as scoring reads it).
  return outcomeSql(v.status ? `CAST(${ident(v.status)} AS VARCHAR)` : `CASE WHEN ${ident(v.answer)} IS NULL THEN 'not_run' ELSE 'answered' END`);
}

/** As `agreementOf` compares: every variant has an answer, and they are not all equal once trimmed and case-folded. */
function disagreement(variants: readonly ViewVariant[]): string {
  if (variants.length < 2) return 'false';
  const has = variants.map((v) => `(${outcome(v)} = 'answered' AND ${ident(v.answer)} IS NOT NULL)`);
  const norm = variants.map((v) => `lower(trim(CAST(${ident(v.answer)} AS VARCHAR)))`);
  return `${has.join(' AND ')} AND NOT (${norm.slice(1).map((n) => `${norm[0]} = ${n}`).join(' AND ')})`;
}
