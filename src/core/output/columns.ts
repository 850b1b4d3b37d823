import { judgeColumns, pairwiseColumns } from '../judge/columns.js';
import { scoreColumns } from '../score/columns.js';
import type { JobSpec } from '../spec.js';
import { ident } from '../sql.js';
import { scoredValue, structuredColumns } from '../structured/columns.js';
import { embeddingColumns } from '../embeddings/columns.js';
import { generatedImageColumns } from '../imagegen/columns.js';

/**
 * A column the writer adds after the input columns: its name and a DuckDB expression over the
 * row-ordered answers (`a`, one struct per variant in `a.a`, see `writeAnswersByRow`). Later
 * features (typed fields, embeddings, scores) add columns here without touching the write path.
 */
export interface OutputColumn {
  readonly name: string;
  readonly sql: string;
}

/** The shape of one variant's entry in the row-ordered answers, as DuckDB reads it. */
export const ANSWER_STRUCT = 'STRUCT(answer VARCHAR, status VARCHAR, error VARCHAR, prompt_tokens BIGINT, completion_tokens BIGINT, cached BOOLEAN)';

/** The column prefix of variant `index`: `<target>` alone, `<target>_<name>` with several variants. */
export function variantPrefix(spec: Pick<JobSpec, 'target_column' | 'variants'>, index: number): string {
  return spec.variants.length === 1 ? spec.target_column : `${spec.target_column}_${spec.variants[index].name}`;
}

/**
 * Per variant: `<prefix>` (the answer), `<prefix>_status` (`answered`, `cached`, `failed`,
 * `not_run`), `<prefix>_error`, with `usage_columns` the token counts, with `scoring` the
 * score columns (see `scoreColumns`), with `judge` the judge's (see `judgeColumns`); with
 * `pairwise`, `<target>_pairwise_winner` after every variant's.
 */
export function answerColumns(spec: Pick<JobSpec, 'target_column' | 'variants' | 'usage_columns' | 'scoring' | 'judge' | 'pairwise' | 'images_dir' | 'embed_images'> & { output_format?: string }): OutputColumn[] {
  const columns: OutputColumn[] = [];
  spec.variants.forEach((variant, index) => {
    const prefix = variantPrefix(spec, index);
    const x = `a.a[${index + 1}]`;
    // Lines of evalctl 0.1 carry no status: it follows from the error and cached flags.
    const status = `CASE WHEN ${x} IS NULL THEN 'not_run' ELSE coalesce(${x}.status, CASE WHEN ${x}.error IS NOT NULL THEN 'failed' WHEN ${x}.cached THEN 'cached' ELSE 'answered' END) END`;
    // A structured variant (`--schema`) adds a typed column per field and `<prefix>_raw`.
    if (variant.output_type === 'embeddings') columns.push(...embeddingColumns(prefix, x, status, variant.dimensions ?? null, spec.output_format));
    // The bytes only in parquet: an `export` of an --embed-images job to CSV or JSON writes the paths alone.
    else if (variant.output_type === 'image') columns.push(...generatedImageColumns(prefix, x, status, spec.images_dir, (spec.embed_images ?? false) && (spec.output_format ?? 'parquet') === 'parquet'));
    else if (variant.schema) columns.push(...structuredColumns(variant.schema, prefix, x, status, spec.output_format));
    else columns.push({ name: prefix, sql: `${x}.answer` }, { name: `${prefix}_status`, sql: status }, { name: `${prefix}_error`, sql: `${x}.error` });
    if (spec.usage_columns) {
      columns.push({ name: `${prefix}_prompt_tokens`, sql: `${x}.prompt_tokens` }, { name: `${prefix}_completion_tokens`, sql: `${x}.completion_tokens` });
    }
    // `<prefix>_correct` and built-in evaluators' columns, from the answer and the source's ground truth.
    const prediction = variant.schema ? scoredValue(variant.schema, x) : `${x}.answer`;
    columns.push(...scoreColumns(spec.scoring, prefix, { prediction, status }, (column) => `s.${ident(column)}`));
    // `<prefix>_judge_score`, `_reason`, `_pass`, `_error`, from the judge's log (`a.j`).
    columns.push(...judgeColumns(spec, index, prefix));
  });
  columns.push(...pairwiseColumns(spec));
  return columns;
}
