import type { Dataset } from '../dataset.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { compileVariants } from '../prompts.js';
import { judgeLogPaths } from './columns.js';
import type { RowItems } from './items.js';
import { judgeRequests, pairwiseRequests, readJudgement, readPairwise } from './requests.js';
import type { JudgeModel } from './spec.js';

/** Which judging a phase is: the judge (`settings.judge`) or the pairwise comparison (`settings.pairwise`). */
export type JudgeKind = 'judge' | 'pairwise';

/**
 * One judging phase of a job: its log, its lanes (the judge: one per variant; pairwise: one
 * per order), how a row becomes requests, and how a verdict's text becomes the log line's fields.
 * Live (`phase.ts`) and `--batch-api` (`batch/judge-submit.ts`) build their requests from it alike.
 */
export interface JudgePhase {
  kind: JudgeKind;
  /** Where its spend is reported in the record. */
  key: 'judge_usage' | 'pairwise_usage';
  log: string;
  model: JudgeModel;
  lanes: number;
  /** The columns to stream for `build` (the variants' first). */
  columns: readonly string[];
  build: RowItems;
  read: (text: string) => Record<string, unknown>;
}

/** A phase's requests alone, before any log: what `--dry-run` estimates and a run sends. */
export type PhasePlan = Pick<JudgePhase, 'kind' | 'model' | 'lanes' | 'columns' | 'build'>;

/** The judging phases a job asks, in the order they run: the judge, then the pairwise comparison. */
export function judgePhases(store: JobStore, job: JobRecord, dataset: Dataset): JudgePhase[] {
  const s = job.settings;
  const logs = judgeLogPaths(store, job.id);
  return phasePlans(job, dataset).map((phase) => (phase.kind === 'judge'
    ? { ...phase, key: 'judge_usage', log: logs.judge, read: (text: string) => readJudgement(text, s.judge!) }
    : { ...phase, key: 'pairwise_usage', log: logs.pairwise, read: readPairwise }));
}

/** How each judging phase of a job turns a row and its answers into requests (the judge: one lane per variant; pairwise: one per order). */
export function phasePlans(job: Pick<JobRecord, 'settings'>, dataset: Dataset): PhasePlan[] {
  const s = job.settings;
  const { columns: variantColumns, renders } = compileVariants(s.variants, dataset);
  const table = { columns: dataset.columns.map((c) => c.name), label: dataset.label };
  const phases: PhasePlan[] = [];
  if (s.judge) phases.push({ kind: 'judge', model: s.judge, lanes: s.variants.length, ...judgeRequests(s.judge, table, variantColumns, renders) });
  if (s.pairwise) phases.push({ kind: 'pairwise', model: s.pairwise, lanes: 2, ...pairwiseRequests(s.pairwise, table, variantColumns, renders) });
  return phases;
}
