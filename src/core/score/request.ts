import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Dataset, formatFromPath } from '../dataset.js';
import { JobError, UsageError } from '../errors.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { outputFormatFromPath } from '../writer.js';
import { scoreColumns } from './columns.js';
import { builtInEvaluator, evaluatorColumn, ROW_SUFFIXES } from './evaluators.js';
import { addJudgeMetrics } from '../judge/metrics.js';
import { type Gate, parseGate } from './gates.js';
import { jobTargets } from './job.js';
import type { ScoreTarget } from './measure.js';
import { scoreFile, type ScoreResult } from './score-file.js';
import { resolveScoring, type ScoringRequest, type ScoringSpec } from './scoring.js';

/** What `evalctl score` was asked. */
export interface ScoreRequest extends Omit<ScoringRequest, 'cwd'> {
  /** A job id (or unique prefix), or a table file. */
  subject: string;
  /** `-t`: the prediction column. */
  target?: string;
  /** `-o`: where to write the scored copy. */
  output?: string;
  overwrite?: boolean;
  store: JobStore;
  cwd: string;
  /** Called with the open connection and scored relation (for a JUnit report). */
  report?: Parameters<typeof scoreFile>[0]['report'];
}

export interface ScoreOutcome extends ScoreResult {
  /** The scored file. */
  input: string;
  /** The job scored, when the subject was one. */
  job: JobRecord | null;
  targets: ScoreTarget[];
  scoring: ScoringSpec;
}

/**
 * Scores an existing output without calling a model: a job's (its prediction columns and
 * scoring from the record, flags overriding) or any table's (`-t`, else the columns that have
 * `_status` and `_error` beside them, else `prediction`). The input is never modified; a copy
 * with the score columns is written when they are not all in it already, or with `-o`.
 */
export async function scoreExisting(request: ScoreRequest): Promise<ScoreOutcome> {
  const asFile = resolve(request.cwd, request.subject);
  const job = existsSync(asFile) ? null : readJob(request.store, request.subject);
  const input = job ? job.output : asFile;
  if (job && !existsSync(input)) throw new JobError(`Job ${job.id} has no output yet (${input}).`, `See \`evalctl status ${job.id}\`.`);
  if (!job && statSync(input).isDirectory()) throw new UsageError(`${request.subject} is a directory, not a table file or a job id.`);

  // A table's columns decide its targets and whether it holds a judge's verdicts.
  const columns = await columnsOf(input);
  const targets = request.target !== undefined ? [targetOf(request.target, columns)]
    : job ? jobTargets(job.settings)
    : guessTargets(columns);
  const judgedJob = job !== null && request.target === undefined && Boolean(job.settings.judge || job.settings.pairwise);
  const judged = judgedJob || targets.some((t) => t.judge);
  checkJudgeGates((request.failUnder ?? []).map(parseGate), targets, job ? `job ${job.id}` : basename(input), job !== null);
  const saved = job?.settings.scoring ?? null;
  const flags = resolveScoring({ ...request, judged, groundTruth: request.groundTruth ?? saved?.ground_truth ?? undefined });
  const scoring: ScoringSpec | null = flags && saved ? {
    ground_truth: flags.ground_truth,
    choices: request.choices !== undefined ? flags.choices : saved.choices,
    expected_distribution: request.expectDistribution !== undefined ? flags.expected_distribution : saved.expected_distribution,
    evaluators: request.evaluators?.length ? flags.evaluators : saved.evaluators,
    fail_under: request.failUnder?.length ? flags.fail_under : saved.fail_under,
  } : flags ?? saved;
  if (!scoring) {
    throw new UsageError(`Nothing to score ${job ? `job ${job.id}` : basename(input)} against: it has no ground truth.`, 'Name the column of expected answers with --ground-truth <column>, or pass --evaluator or --expect-distribution.');
  }

  const added = targets.flatMap((t) => [
    ...scoreColumns(scoring, t.prediction, { prediction: '', status: '' }, () => '').map((c) => c.name),
    ...scoring.evaluators.filter((e) => !builtInEvaluator(e)).flatMap((e) => ROW_SUFFIXES.map((s) => evaluatorColumn(t.prediction, e.name, s))),
  ]);
  const missing = added.some((name) => !columns.includes(name));
  const output = request.output !== undefined ? checkedOutput(resolve(request.cwd, request.output), input, request.overwrite ?? false)
    : missing ? freeName(input) : null;
  const result = await scoreFile({ path: input, format: formatFromPath(input), targets, scoring, output, report: request.report });
  // A job's judge figures come from its judge logs, as `create` computed them.
  const rows = Object.values(result.metrics)[0]?.counts.rows ?? 0;
  const metrics = judgedJob ? await addJudgeMetrics(request.store, job, rows, result.metrics) : result.metrics;
  return { ...result, metrics, input, job, targets, scoring };
}

function readJob(store: JobStore, subject: string): JobRecord {
  try {
    return store.read(subject);
  } catch (error) {
    if (error instanceof JobError && /^No job|^No jobs/.test(error.message)) {
      throw new UsageError(`"${subject}" is neither a file nor a job id.`, 'Give the path of a table (parquet, CSV, JSONL) or the id of a job (`evalctl list`).');
    }
    throw error;
  }
}

async function columnsOf(path: string): Promise<string[]> {
  const dataset = await Dataset.open(path);
  try {
    return dataset.columns.map((c) => c.name);
  } finally {
    dataset.close();
  }
}

function targetOf(column: string, columns: readonly string[]): ScoreTarget {
  const judged = JUDGE_SUFFIXES.every((suffix) => columns.includes(`${column}_${suffix}`));
  return { name: column, prediction: column, status: columns.includes(`${column}_status`) ? `${column}_status` : null, judge: judged ? column : null, pairwise: pairwiseOf(column, columns) };
}

const JUDGE_SUFFIXES = ['judge_score', 'judge_reason', 'judge_pass', 'judge_error'];

/** `prediction_p1` beside `prediction_pairwise_winner` wins there as `p1`. */
function pairwiseOf(column: string, columns: readonly string[]): ScoreTarget['pairwise'] {
  for (const winner of columns.filter((c) => c.endsWith('_pairwise_winner'))) {
    const stem = winner.slice(0, -'pairwise_winner'.length);
    if (column.startsWith(stem) && column.length > stem.length) return { column: winner, name: column.slice(stem.length) };
  }
  return null;
}

/**
 * The judge's gates need its verdicts: a job judged with `--judge` (`--pairwise` for
 * `win_rate:`), or a table with the judge's columns. A pairwise record needs the job's logs.
 */
function checkJudgeGates(gates: readonly Gate[], targets: readonly ScoreTarget[], label: string, isJob: boolean): void {
  for (const gate of gates) {
    if ((gate.metric === 'judge_score' || gate.metric === 'pass_rate:judge') && !targets.some((t) => t.judge)) {
      throw new UsageError(`--fail-under ${gate.metric}: ${label} has no LLM judge's verdicts${isJob ? ' (it was not run with --judge)' : ` (no ${targets[0]?.prediction ?? 'prediction'}_judge_score column)`}.`, isJob ? 'Judge it with `evalctl create … --judge <rubric>`, or drop this gate.' : 'Score the job instead (`evalctl score <job-id>`), or drop this gate.');
    }
    if (!gate.metric.startsWith('win_rate:')) continue;
    if (!isJob) throw new UsageError(`--fail-under ${gate.metric} is not supported on a file: win rates are read from the job's pairwise log.`, 'Score the job instead: `evalctl score <job-id>`.');
    const name = gate.metric.slice(9);
    if (!targets.some((t) => t.pairwise)) throw new UsageError(`--fail-under ${gate.metric}: ${label} was not run with --pairwise.`, 'Compare two variants with `evalctl create … --pairwise <rubric>`, or drop this gate.');
    if (!targets.some((t) => t.name === name)) throw new UsageError(`--fail-under ${gate.metric}: no variant is named "${name}" (variants: ${targets.map((t) => t.name).join(', ')}).`);
  }
}

/** The prediction columns of a table evalctl wrote (each has `_status` and `_error` beside it), else `prediction`. */
function guessTargets(columns: readonly string[]): ScoreTarget[] {
  const written = columns.filter((c) => columns.includes(`${c}_status`) && columns.includes(`${c}_error`));
  if (written.length) return written.map((c) => targetOf(c, columns));
  if (columns.includes('prediction')) return [targetOf('prediction', columns)];
  throw new UsageError(`Which column of ${columns.length} holds the answers? (columns: ${columns.slice(0, 30).join(', ')})`, 'Name it with -t <column>.');
}

function checkedOutput(output: string, input: string, overwrite: boolean): string {
  outputFormatFromPath(output);
  const same = resolve(output) === resolve(input) || (existsSync(output) && realpathSync(output) === realpathSync(input));
  if (same) throw new UsageError(`The output ${output} is the input file; evalctl never modifies its input.`, 'Choose another -o path.');
  if (existsSync(output) && !overwrite) throw new UsageError(`The output ${output} already exists.`, 'Pass --overwrite to replace it, or choose another -o path.');
  return output;
}

/** `out.parquet` -> `out.scored.parquet` (or `out.scored-2.parquet`), same format (JSON lines keep their spelling). */
function freeName(input: string): string {
  const name = basename(input).replace(/\.(gz|zst)$/i, '');
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length) || name;
  const format = formatFromPath(input);
  const ext = format === 'jsonl' && /^\.(jsonl|ndjson)$/i.test(extension) ? extension : `.${format}`;
  for (let n = 1; ; n++) {
    const candidate = join(dirname(input), `${stem}.scored${n === 1 ? '' : `-${n}`}${ext}`);
    if (!existsSync(candidate)) return candidate;
  }
}

