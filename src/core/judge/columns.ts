import { join } from 'node:path';
import type { JobStore } from '../jobs.js';
import type { OutputColumn } from '../output/columns.js';
import type { JobSpec } from '../spec.js';
import { literal } from '../sql.js';
import type { ExtraLog } from '../writer.js';

/** The logs of a job's judging phases, beside its `answers.jsonl`, in the same line format. */
export function judgeLogPaths(store: JobStore, id: string): { judge: string; pairwise: string } {
  const dir = store.paths(id).dir;
  return { judge: join(dir, 'judgements.jsonl'), pairwise: join(dir, 'pairwise.jsonl') };
}

/** A judge log line as DuckDB reads it from the row-ordered answers (`a.j[variant]`). */
const JUDGE_STRUCT = 'STRUCT(status VARCHAR, error VARCHAR, score DOUBLE, reason VARCHAR, pass BOOLEAN, judge_error VARCHAR)';
/** A pairwise log line (`a.p[1]`: order A/B, `a.p[2]`: order B/A). */
const PAIRWISE_STRUCT = 'STRUCT(status VARCHAR, error VARCHAR, verdict VARCHAR, judge_error VARCHAR)';

/** The judging logs the writer puts in row order beside the answers, for a job that has them. */
export function judgeExtraLogs(spec: Pick<JobSpec, 'judge' | 'pairwise' | 'variants'>, logs: { judge: string; pairwise: string }): ExtraLog[] {
  return [
    ...(spec.judge ? [{ key: 'j', path: logs.judge, lanes: spec.variants.length, struct: JUDGE_STRUCT }] : []),
    ...(spec.pairwise ? [{ key: 'p', path: logs.pairwise, lanes: 2, struct: PAIRWISE_STRUCT }] : []),
  ];
}

/**
 * A variant's judge columns: `<prefix>_judge_score` (on the judge's scale), `_judge_reason`,
 * `_judge_pass` (score at or above the threshold) and `_judge_error` (the judge's call failed,
 * or its answer held no score); all null for a pair not judged (no answer, or not yet).
 */
export function judgeColumns(spec: Pick<JobSpec, 'judge'>, index: number, prefix: string): OutputColumn[] {
  if (!spec.judge) return [];
  const j = `a.j[${index + 1}]`;
  return [
    { name: `${prefix}_judge_score`, sql: `${j}.score` },
    { name: `${prefix}_judge_reason`, sql: `${j}.reason` },
    { name: `${prefix}_judge_pass`, sql: `${j}.pass` },
    { name: `${prefix}_judge_error`, sql: `CASE WHEN ${j}.status = 'failed' THEN ${j}.error ELSE ${j}.judge_error END` },
  ];
}

/**
 * `<target>_pairwise_winner`: the name of the variant both orders preferred, `tie` (a tie, or
 * the orders disagreed), or null (not judged in both orders).
 */
export function pairwiseColumns(spec: Pick<JobSpec, 'pairwise' | 'variants' | 'target_column'>): OutputColumn[] {
  if (!spec.pairwise || spec.variants.length !== 2) return [];
  const [first, second] = spec.variants.map((v) => literal(v.name));
  const ab = 'a.p[1].verdict';
  const ba = 'a.p[2].verdict';
  return [{
    name: `${spec.target_column}_pairwise_winner`,
    sql: `CASE WHEN ${ab} IS NULL OR ${ba} IS NULL THEN NULL WHEN ${ab} = 'A' AND ${ba} = 'B' THEN ${first} WHEN ${ab} = 'B' AND ${ba} = 'A' THEN ${second} ELSE 'tie' END`,
  }];
}
