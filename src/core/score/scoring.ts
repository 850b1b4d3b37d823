import { InputError, UsageError } from '../errors.js';
import { closest } from '../template.js';
import { parseExpectedDistribution } from './distribution.js';
import { builtInEvaluator, checkEvaluatorNames, defineEvaluator, loadEvaluator, type EvaluatorDef } from './evaluators.js';
import { parseGate, type Gate } from './gates.js';
import { parseChoices } from './labels.js';

/**
 * How a job's answers are scored, stored in the job spec (`settings.scoring`) so `resume` and
 * `evalctl score <job>` score the same way. Absent when nothing is scored.
 */
export interface ScoringSpec {
  /** The column holding the expected answer. */
  ground_truth: string | null;
  /** With `--choices`: the allowed labels (normalised) a free-text answer is mapped to. */
  choices: string[] | null;
  /** `--expect-distribution`: each label's expected share of the predictions, in percent (sums to 100). */
  expected_distribution: Record<string, number> | null;
  evaluators: EvaluatorDef[];
  /** `--fail-under` thresholds. */
  fail_under: Gate[];
}

/** The scoring flags, as typed, with the config file's named evaluators. */
export interface ScoringRequest {
  groundTruth?: string;
  choices?: string;
  expectDistribution?: string;
  evaluators?: readonly string[];
  failUnder?: readonly string[];
  /** `evaluators` from the config file: name -> spec. */
  namedEvaluators?: Readonly<Record<string, string>>;
  /** An LLM judge or a pairwise comparison is asked for (`--judge`, `--pairwise`): scoring reports it even with nothing else to score. */
  judged?: boolean;
  cwd: string;
}

/** Checks the scoring flags together; null when none was given. */
export function resolveScoring(request: ScoringRequest): ScoringSpec | null {
  const evaluators = (request.evaluators ?? []).map((text) => defineEvaluator(text, request.namedEvaluators ?? {}, request.cwd));
  checkEvaluatorNames(evaluators);
  const spec: ScoringSpec = {
    ground_truth: request.groundTruth ?? null,
    choices: request.choices === undefined ? null : parseChoices(request.choices),
    expected_distribution: request.expectDistribution === undefined ? null : parseExpectedDistribution(request.expectDistribution),
    evaluators,
    fail_under: (request.failUnder ?? []).map(parseGate),
  };
  if (spec.ground_truth === null && spec.evaluators.length === 0 && spec.expected_distribution === null && !request.judged) {
    if (spec.choices || spec.fail_under.length) throw new UsageError(`${spec.choices ? '--choices' : '--fail-under'} needs something to score: --ground-truth <column>, --evaluator or --expect-distribution.`);
    return null;
  }
  checkNeeds(spec, request.judged ?? false);
  return spec;
}

function checkNeeds(spec: ScoringSpec, judged: boolean): void {
  if (spec.ground_truth !== null && spec.ground_truth.trim() === '') throw new UsageError('--ground-truth is empty.', 'Name the column holding the expected answers, e.g. --ground-truth label.');
  const needy = spec.evaluators.find((e) => builtInEvaluator(e)?.needsGroundTruth);
  if (needy && spec.ground_truth === null) throw new UsageError(`--evaluator ${needy.spec} compares with the ground truth: add --ground-truth <column>.`);
  for (const gate of spec.fail_under) {
    const needsTruth = /^(accuracy|macro_f1|weighted_f1|f1:)/.test(gate.metric);
    if (needsTruth && spec.ground_truth === null) throw new UsageError(`--fail-under ${gate.metric} needs --ground-truth <column>.`);
    if (gate.metric === 'conformance' && spec.ground_truth === null && spec.expected_distribution === null) throw new UsageError('--fail-under conformance needs --ground-truth or --expect-distribution.');
    // The judge's gates (`pass_rate:judge`, `judge_score`, `win_rate:`) are checked with the judge (see resolveJudging).
    if (judged && (gate.metric === 'pass_rate:judge' || gate.metric === 'pass_rate')) continue;
    if (gate.metric.startsWith('pass_rate') && spec.evaluators.length === 0) throw new UsageError(`--fail-under ${gate.metric} needs an --evaluator.`);
    const name = gate.metric.startsWith('pass_rate:') ? gate.metric.slice(10) : undefined;
    if (name !== undefined && !spec.evaluators.some((e) => e.name === name)) {
      throw new UsageError(`--fail-under ${gate.metric}: no evaluator is named "${name}" (evaluators: ${spec.evaluators.map((e) => e.name).join(', ')}).`);
    }
  }
}

/** Checks a column scoring reads is in the table, with a did-you-mean: `what` is e.g. "--ground-truth column". */
export function checkColumn(what: string, name: string, columns: readonly string[], label: string, hint: string): void {
  if (columns.includes(name)) return;
  const suggestion = closest(name, columns);
  const listed = columns.length > 30 ? `${columns.slice(0, 30).join(', ')}, …` : columns.join(', ');
  throw new InputError(`${what} "${name}" is not in ${label} (columns: ${listed}).${suggestion ? ` Did you mean "${suggestion}"?` : ''}`, hint);
}

/** Checks the ground-truth column is in the table. */
export function checkScoringColumns(spec: ScoringSpec, columns: readonly string[], label: string): void {
  if (spec.ground_truth !== null) checkColumn('--ground-truth column', spec.ground_truth, columns, label, 'Name the column holding the expected answers.');
}

/**
 * Checks scoring against the table before anything is paid for: the ground-truth column is in
 * it, and every code evaluator loads and exports a function.
 */
export async function checkScoring(spec: ScoringSpec, columns: readonly string[], label: string): Promise<void> {
  checkScoringColumns(spec, columns, label);
  await Promise.all(spec.evaluators.map(loadEvaluator));
}
