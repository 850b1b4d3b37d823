import { writeFileSync } from 'node:fs';
import { fileProblem, JobError, StorageError } from '../errors.js';
import type { ViewCatalog } from './catalog.js';
import { pageHtml, REPORT_CSP } from './page.js';
import { mattersCondition, selectList, VIEW_ROW } from './query.js';
import { OutputTable } from './table.js';
import type { ReportData } from './types.js';

/** Caps that keep a report small enough to open anywhere. */
export const REPORT_LIMITS = { matterRows: 2_000, sampleRows: 200, cellChars: 2_000 };

/**
 * Writes one self-contained HTML file: the job page's metrics and charts, and the rows that
 * matter (failed, invalid or incorrect for some variant, up to a cap) plus a seeded sample of
 * the rest. The page says how the rows were chosen.
 */
export async function writeReport(catalog: ViewCatalog, id: string, path: string, limits = REPORT_LIMITS): Promise<ReportData> {
  const view = await catalog.view(id);
  if (!view.schema) throw new JobError(`Cannot report on ${view.title}: ${view.unavailable}`, 'Wait for the job to finish, or cancel it to write the partial output.');
  const table = await catalog.table(id, view.output);
  const matters = mattersCondition(view.schema);
  const select = selectList(view.schema, limits.cellChars);
  const relation = OutputTable.relation;
  const matterRows = Number((await table.all({ sql: `SELECT count(*)::DOUBLE AS n FROM ${relation} WHERE ${matters}`, params: {} }))[0].n);
  const kept = await table.all({ sql: `SELECT ${select} FROM ${relation} WHERE ${matters} LIMIT $limit`, params: { limit: limits.matterRows } });
  const otherRows = view.row_count! - matterRows;
  const sampled = await table.all({
    sql: `SELECT * FROM (SELECT ${select} FROM ${relation} WHERE NOT coalesce(${matters}, false)) USING SAMPLE reservoir(${Math.floor(limits.sampleRows)} ROWS) REPEATABLE (7)`,
    params: {},
  });
  const rows = [...kept, ...sampled].sort((a, b) => Number(a[VIEW_ROW]) - Number(b[VIEW_ROW])) as ReportData['rows'];
  const report: ReportData = {
    generated_at: new Date().toISOString(),
    view,
    rows,
    selection: { total_rows: view.row_count!, matter_rows: matterRows, matter_shown: kept.length, sampled: sampled.length, other_rows: otherRows, cell_chars: limits.cellChars },
  };
  const html = pageHtml({ mode: 'report', start: `#/job/${encodeURIComponent(id)}`, report }, { title: `evalctl report: ${view.title}`, csp: REPORT_CSP });
  try {
    writeFileSync(path, html);
  } catch (error) {
    throw new StorageError(`Cannot write the report ${path} (${fileProblem(error)}).`, undefined, error);
  }
  return report;
}
