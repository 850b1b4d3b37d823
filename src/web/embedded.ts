import type { JobView, ReportData, RowsPage } from '../core/view/types.js';
import type { RowParams, Source } from './source.js';

type Row = Record<string, string | null>;

/**
 * A report's data as a `Source`: the same filters as the server's SQL (src/core/view/query.ts),
 * applied in the page to the rows the report embeds.
 */
export function reportSource(report: ReportData): Source {
  return {
    kind: 'report',
    jobs: async () => [],
    view: async () => report.view,
    rows: async (_id, params) => page(report.view, report.rows, params),
  };
}

function page(view: JobView, rows: readonly Row[], params: RowParams): RowsPage {
  const kept = rows.filter((row) => matches(view, row, params));
  const key = params.sort;
  const numeric = kept.every((row) => row[key] === null || row[key] === '' || Number.isFinite(Number(row[key])));
  const compare = (a: Row, b: Row) => {
    const x = a[key];
    const y = b[key];
    if (x === y) return Number(a.__row) - Number(b.__row);
    if (x === null) return 1;
    if (y === null) return -1;
    const order = numeric ? Number(x) - Number(y) : x < y ? -1 : 1;
    return params.dir === 'desc' ? -order : order;
  };
  const sorted = [...kept].sort(compare);
  return { total: kept.length, offset: params.offset, rows: sorted.slice(params.offset, params.offset + params.limit) };
}

/** One row against the filters, as `whereClause` decides it in SQL. */
export function matches(view: JobView, row: Row, params: RowParams): boolean {
  const schema = view.schema!;
  const v = schema.variants[params.variant];
  if (v) {
    const outcome = row[`__outcome_${params.variant}`];
    const label = row[`__label_${params.variant}`];
    if (params.failed && outcome !== 'failed') return false;
    if (params.invalid && !(outcome === 'answered' && label === null && (schema.groundTruth === null || row.__truth !== null))) return false;
    if (params.incorrect && !(v.correct && row[v.correct] === 'false')) return false;
    if (params.truth && row.__truth !== params.truth) return false;
    if (params.predicted && !(outcome === 'answered' && label === params.predicted)) return false;
    const judge = v.judge?.pass ?? v.evaluators.find((e) => e.pass)?.pass ?? null;
    if (params.judge && !(judge && row[judge] === (params.judge === 'pass' ? 'true' : 'false'))) return false;
  }
  if (params.disagree) {
    const all = schema.variants.length > 1 && schema.variants.every((x, i) => row[`__outcome_${i}`] === 'answered' && row[x.answer] !== null);
    const answers = new Set(schema.variants.map((x) => (row[x.answer] ?? '').trim().toLowerCase()));
    if (!all || answers.size < 2) return false;
  }
  if (params.q) {
    const needle = params.q.toLowerCase();
    const searched = [...schema.promptColumns, ...schema.variants.map((x) => x.answer)];
    if (!searched.some((c) => (row[c] ?? '').toLowerCase().includes(needle))) return false;
  }
  return true;
}
