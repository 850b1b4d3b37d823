import type { InputFormat } from '../dataset.js';
import type { JobRecord } from '../jobs.js';
import { pairwiseColumns } from '../judge/columns.js';
import { variantPrefix } from '../output/columns.js';
import type { JobSpec } from '../spec.js';
import { scoredField } from '../structured/columns.js';
import { builtInEvaluator } from './evaluators.js';
import type { ScoreTarget, VariantMetrics } from './measure.js';
import { scoreFile } from './score-file.js';

/** A job's prediction columns, one per variant, named by the variant. */
export function jobTargets(spec: Pick<JobSpec, 'target_column' | 'variants' | 'judge' | 'pairwise'>): ScoreTarget[] {
  const pairwise = spec.pairwise && spec.variants.length === 2 ? pairwiseColumns(spec)[0].name : null;
  return spec.variants.map((v, i) => {
    const prefix = variantPrefix(spec, i);
    // A one-field structured answer (`--structured --choices`) is scored by its field's column.
    const field = v.schema ? scoredField(v.schema) : undefined;
    return {
      name: v.name, prediction: field === undefined ? prefix : `${prefix}_${field}`, status: `${prefix}_status`,
      judge: spec.judge ? prefix : null, pairwise: pairwise ? { column: pairwise, name: v.name } : null,
    };
  });
}

/**
 * Scores a job's output just written, per variant, for the record's `metrics`. The writer has
 * added `_correct` and the built-in evaluators' columns already; code evaluators' columns are
 * added by rewriting the output (evalctl's own file) in place.
 */
export async function scoreJobOutput(job: Pick<JobRecord, 'output' | 'settings'>): Promise<Record<string, VariantMetrics> | null> {
  const scoring = job.settings.scoring;
  if (!scoring) return null;
  const rewrite = scoring.evaluators.some((e) => builtInEvaluator(e) === undefined);
  const result = await scoreFile({
    path: job.output,
    format: job.settings.output_format as InputFormat,
    targets: jobTargets(job.settings),
    scoring,
    output: rewrite ? job.output : null,
  });
  return result.metrics;
}

/** Runs `report` (a JUnit writer) over a scored job output, re-reading it. */
export async function reportJobOutput(job: Pick<JobRecord, 'output' | 'settings'>, report: NonNullable<Parameters<typeof scoreFile>[0]['report']>): Promise<void> {
  const scoring = job.settings.scoring;
  if (!scoring) return;
  await scoreFile({ path: job.output, format: job.settings.output_format as InputFormat, targets: jobTargets(job.settings), scoring, output: null, report });
}
