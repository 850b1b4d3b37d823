import type { JobRecord } from '../jobs.js';
import type { ViewSchema } from './schema.js';

/**
 * The JSON the viewer's API serves and the report embeds; the page (src/web) reads only these.
 */

/** A job in the jobs list. */
export interface JobSummary {
  id: string;
  name: string | null;
  status: string;
  progress: { processed: number; total: number };
  rows: number;
  failed_rows: number;
  cost_usd: number | null;
  models: string[];
  created_at: string;
  /** The first variant's accuracy, else its first evaluator's pass rate. */
  key_metric: { name: string; value: number } | null;
}

/** Everything the job page shows but the rows. `id` is `file` for a file that is no job's output. */
export interface JobView {
  id: string;
  title: string;
  output: string;
  job: JobRecord | null;
  /** Null while the output does not exist yet (a running job), with `unavailable` saying why. */
  schema: ViewSchema | null;
  row_count: number | null;
  unavailable: string | null;
}

/** A page of rows: cells as text, plus `__row`, `__truth`, `__outcome_<i>`, `__label_<i>`. */
export interface RowsPage {
  total: number;
  offset: number;
  rows: Record<string, string | null>[];
}

/** What a report file embeds: the job page's data and the rows that matter. */
export interface ReportData {
  generated_at: string;
  view: JobView;
  rows: Record<string, string | null>[];
  /** How the rows were chosen, for the page to say so. */
  selection: { total_rows: number; matter_rows: number; matter_shown: number; sampled: number; other_rows: number; cell_chars: number };
}

/** The page's boot data: where to start, and in a report, everything it shows. */
export interface Boot {
  mode: 'server' | 'report';
  start: string;
  report?: ReportData;
}
