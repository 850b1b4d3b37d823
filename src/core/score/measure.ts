import type { DuckDBConnection } from '@duckdb/node-api';
import type { PairwiseSummary } from '../judge/metrics.js';
import { ident } from '../sql.js';
import { outcomeSql, predictedLabelSql, statusFromAnswer } from './columns.js';
import { distributionOf, type Distribution } from './distribution.js';
import { evaluatorRef } from './evaluators.js';
import { labelSql, numberSql } from './labels.js';
import { classificationOf, type Classification, type LabelGroup, type Outcome } from './metrics.js';
import type { ScoringSpec } from './scoring.js';

/** A prediction column to score: the variant (or column) name metrics go under, and its columns. */
export interface ScoreTarget {
  name: string;
  /** The answer column. */
  prediction: string;
  /** Its `_status` column, when the file has one (evalctl writes it); else a null answer counts as not run. */
  status: string | null;
  /** The prefix of its LLM judge's columns (`<prefix>_judge_pass`, `_score`, `_reason`, `_error`), when the table has them. */
  judge?: string | null;
  /** Its pairwise comparison: the `<target>_pairwise_winner` column and the name it wins under there. */
  pairwise?: { column: string; name: string } | null;
}

/** Row counts, each with its own meaning; see the README's "Scoring" section. */
export interface Counts {
  /** Every row of the file. */
  rows: number;
  /** Rows with an answer (answered or cached). */
  answered: number;
  /** Rows whose request failed after retries: no answer, counted apart, never scored. */
  failed: number;
  /** Rows a stopped run never reached (or, in a file evalctl did not write, with an empty answer). */
  not_run: number;
  /** Rows whose ground truth is empty (null or blank), whatever their answer. */
  no_ground_truth: number;
  /** Rows with an answer and a ground truth: the denominator of accuracy and the support of the labels. */
  scored: number;
  /** Scored rows whose answer's label is the ground truth's. */
  correct: number;
  /** Scored rows whose answer names no label (empty, or with --choices none or several): counted wrong. */
  invalid: number;
}

/** MAE, RMSE and exact matches when the ground truth is numeric (every non-empty value parses as a number). */
export interface NumericMetrics {
  /** Scored rows whose answer parses as a number too: the denominator of MAE and RMSE. */
  rows: number;
  /** Scored rows whose answer is not a number: left out of MAE/RMSE, counted as misses in the exact-match rate. */
  unparsed: number;
  mae: number | null;
  rmse: number | null;
  /** Answers numerically equal to the ground truth, over all scored rows (`rows + unparsed`). */
  exact_match_rate: number | null;
}

/** One evaluator's tally over the rows with an answer. */
export interface EvaluatorSummary {
  name: string;
  /** Rows with an answer: the denominator of the pass rate. */
  evaluated: number;
  passed: number;
  /** Rows the evaluator could not judge: it threw, or the ground truth it needs is empty. They do not pass. */
  errors: number;
  pass_rate: number | null;
  mean_score: number | null;
  /** The first error message, if any. */
  first_error: string | null;
}

/** Everything measured for one prediction column. */
export interface VariantMetrics {
  prediction_column: string;
  ground_truth_column: string | null;
  counts: Counts;
  /** `correct / scored` (invalid answers count as wrong; failed and not-run rows are not scored); null when nothing is scored. */
  accuracy: number | null;
  /** Null without a ground truth, or with more than MAX_LABELS labels (see `note`). */
  classification: Classification | null;
  /** The first few invalid answers, with their row numbers (0-based, file order). */
  invalid_examples: { row: number; answer: string | null }[];
  distribution: Distribution | null;
  numeric: NumericMetrics | null;
  evaluators: EvaluatorSummary[];
  /** With `--pairwise`: this variant's wins, ties and losses against the other (see `PairwiseSummary`). */
  pairwise?: PairwiseSummary;
  note?: string;
}

/** Past this many distinct labels the classification report and distributions are left out (a free-text or continuous column). */
export const MAX_LABELS = 200;
const MAX_GROUPS = 50_000;
const INVALID_EXAMPLES = 10;

/**
 * Measures one prediction column over `relation` (a DuckDB FROM clause with the file's columns
 * and the evaluators' `_pass`/`_score`/`_error` columns). DuckDB does the counting, grouping rows
 * by (normalised ground truth, predicted label, outcome); only that small table reaches JavaScript.
 */
export async function measure(connection: DuckDBConnection, relation: string, target: ScoreTarget, scoring: ScoringSpec, rowEvaluators: ReadonlySet<string>): Promise<VariantMetrics> {
  const p = ident(target.prediction);
  const status = target.status ? `CAST(${ident(target.status)} AS VARCHAR)` : statusFromAnswer(p);
  const truthColumn = scoring.ground_truth;
  const truth = truthColumn === null ? 'NULL' : ident(truthColumn);
  // An LLM judge's columns in the table are read as an evaluator named `judge` (as `create` reports it).
  const checks = [
    ...scoring.evaluators.map((e) => ({ name: e.name, prefix: target.prediction, errors: rowEvaluators.has(e.name) })),
    ...(target.judge ? [{ name: 'judge', prefix: target.judge, errors: true }] : []),
  ];
  const evaluators = checks.map((e, i) => ({
    name: e.name,
    // Read back from CSV they are text: cast.
    pass: `TRY_CAST(${evaluatorRef(e.prefix, e.name, 'pass')} AS BOOLEAN) AS e${i}_pass`,
    score: `TRY_CAST(${evaluatorRef(e.prefix, e.name, 'score')} AS DOUBLE) AS e${i}_score`,
    error: `${e.errors ? evaluatorRef(e.prefix, e.name, 'error') : 'NULL::VARCHAR'} AS e${i}_error`,
  }));
  const base = `SELECT ${outcomeSql(status)} AS o, ${truthColumn === null ? 'NULL::VARCHAR' : labelSql(truth)} AS t,
      CASE WHEN ${outcomeSql(status)} = 'answered' THEN ${predictedLabelSql(p, scoring.choices)} END AS p,
      ${numberSql(truth)} AS tn, ${numberSql(p)} AS pn, CAST(${p} AS VARCHAR) AS answer
      ${evaluators.map((e) => `, ${e.pass}, ${e.score}, ${e.error}`).join('')}
    FROM ${relation}`;

  const both = `o = 'answered' AND tn IS NOT NULL AND pn IS NOT NULL`;
  const totalsSql = `SELECT count(*) AS rows, count(*) FILTER (o = 'answered') AS answered, count(*) FILTER (o = 'failed') AS failed,
      count(*) FILTER (o = 'not_run') AS not_run, count(*) FILTER (t IS NULL) AS no_ground_truth,
      count(*) FILTER (o = 'answered' AND t IS NOT NULL) AS scored, count(*) FILTER (o = 'answered' AND t IS NOT NULL AND p = t) AS correct,
      count(*) FILTER (o = 'answered' AND t IS NOT NULL AND p IS NULL) AS invalid, count(*) FILTER (o = 'answered' AND p IS NULL) AS invalid_any,
      count(*) FILTER (t IS NOT NULL AND tn IS NULL) AS truth_not_numeric, count(*) FILTER (o = 'answered' AND tn IS NOT NULL) AS numeric_scored,
      count(*) FILTER (${both}) AS numeric_rows, avg(abs(pn - tn)) FILTER (${both}) AS mae, sqrt(avg((pn - tn) * (pn - tn)) FILTER (${both})) AS rmse,
      count(*) FILTER (${both} AND pn = tn) AS numeric_exact
      ${evaluators.map((_, i) => `, count(*) FILTER (o = 'answered' AND e${i}_pass) AS e${i}_passed, count(*) FILTER (o = 'answered' AND e${i}_pass IS NULL) AS e${i}_unjudged,
        avg(e${i}_score) FILTER (o = 'answered') AS e${i}_mean, first(e${i}_error) FILTER (e${i}_error IS NOT NULL) AS e${i}_first_error`).join('')}
    FROM (${base})`;
  const totals = (await connection.runAndReadAll(totalsSql)).getRowObjectsJson()[0];
  const n = (key: string) => Number(totals[key] ?? 0);
  const counts: Counts = {
    rows: n('rows'), answered: n('answered'), failed: n('failed'), not_run: n('not_run'),
    no_ground_truth: truthColumn === null ? 0 : n('no_ground_truth'), scored: n('scored'), correct: n('correct'), invalid: n('invalid'),
  };

  const grouped = (await connection.runAndReadAll(`SELECT t, p, o, count(*) AS n FROM (${base}) GROUP BY ALL LIMIT ${MAX_GROUPS + 1}`)).getRowObjectsJson();
  const groups: LabelGroup[] = grouped.map((g) => ({ truth: g.t as string | null, predicted: g.p as string | null, outcome: g.o as Outcome, count: Number(g.n) }));
  const labelCount = new Set(groups.flatMap((g) => [g.truth, g.predicted]).filter((l) => l !== null)).size;
  const tooMany = groups.length > MAX_GROUPS || labelCount > MAX_LABELS;
  const hasTruth = truthColumn !== null;

  const invalidExamples = n('invalid_any') === 0 ? [] : (await connection.runAndReadAll(
    `SELECT r, answer FROM (SELECT row_number() OVER () - 1 AS r, * FROM (${base})) WHERE o = 'answered' AND p IS NULL ORDER BY r LIMIT ${INVALID_EXAMPLES}`,
  )).getRowObjectsJson().map((row) => ({ row: Number(row.r), answer: row.answer as string | null }));

  const numericTruth = hasTruth && n('truth_not_numeric') === 0 && counts.rows - counts.no_ground_truth > 0;
  const numericScored = n('numeric_scored');
  return {
    prediction_column: target.prediction,
    ground_truth_column: truthColumn,
    counts,
    accuracy: hasTruth && counts.scored > 0 ? counts.correct / counts.scored : null,
    classification: hasTruth && !tooMany ? classificationOf(groups) : null,
    invalid_examples: invalidExamples,
    distribution: tooMany || (!hasTruth && !scoring.expected_distribution) ? null : distributionOf(groups, { groundTruth: hasTruth, expected: scoring.expected_distribution }),
    numeric: numericTruth ? {
      rows: n('numeric_rows'),
      unparsed: numericScored - n('numeric_rows'),
      mae: totals.mae === null ? null : Number(totals.mae),
      rmse: totals.rmse === null ? null : Number(totals.rmse),
      exact_match_rate: numericScored === 0 ? null : n('numeric_exact') / numericScored,
    } : null,
    evaluators: evaluators.map((e, i) => {
      const evaluated = counts.answered;
      const passed = n(`e${i}_passed`);
      return {
        name: e.name, evaluated, passed, errors: n(`e${i}_unjudged`),
        pass_rate: evaluated === 0 ? null : passed / evaluated,
        mean_score: totals[`e${i}_mean`] === null ? null : Number(totals[`e${i}_mean`]),
        first_error: (totals[`e${i}_first_error`] as string | null) ?? null,
      };
    }),
    ...(tooMany ? { note: `More than ${MAX_LABELS} distinct labels: the per-label report, confusion matrix and distribution are left out.` } : {}),
  };
}
