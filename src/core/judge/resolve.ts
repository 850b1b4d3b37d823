import type { Settings } from '../config.js';
import { InputError, UsageError } from '../errors.js';
import { apiKeyFor, resolveModel } from '../models.js';
import { priceFor } from '../pricing.js';
import type { Gate } from '../score/gates.js';
import { checkColumn } from '../score/scoring.js';
import { variantPrefix } from '../output/columns.js';
import type { JobSpec } from '../spec.js';
import { judgeColumns, pairwiseColumns } from './columns.js';
import { compileRubric, loadRubric } from './rubric.js';
import { DEFAULT_SCALE, defaultThreshold, JUDGE_PLACEHOLDERS, PAIRWISE_PLACEHOLDERS, type JudgeModel, type JudgeSpec, type PairwiseSpec } from './spec.js';

/** The judge flags of `create`, as typed. */
export interface JudgeRequest {
  /** `--judge` (or its alias `--metric`): a shipped rubric's name, a file, or a prompt. */
  judge?: string;
  metric?: string;
  judgeModel?: string;
  /** `--judge-scale 1-5`. */
  judgeScale?: string;
  passThreshold?: number;
  judgeContext?: string;
  pairwise?: string;
  /** `--ground-truth`: what `{ground_truth}` reads. */
  groundTruth?: string;
  /** The `--fail-under` gates, checked against what is judged. */
  gates: readonly Gate[];
  /** Whether API keys must be at hand (not for a dry run). */
  needKeys: boolean;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Whether any judge flag was given (scoring then has something to report even without a ground truth). */
export function wantsJudging(request: Pick<JudgeRequest, 'judge' | 'metric' | 'pairwise'>): boolean {
  return request.judge !== undefined || request.metric !== undefined || request.pairwise !== undefined;
}

/**
 * The judge and pairwise specs for a job, checked against its variants and table before
 * anything is paid for: the rubric's placeholders, the scale and threshold, the judge model,
 * its key and price, and the gates that read their metrics. Null where not asked for.
 */
export function resolveJudging(request: JudgeRequest, spec: Pick<JobSpec, 'variants'>, table: { columns: readonly string[]; label: string }): { judge: JudgeSpec | null; pairwise: PairwiseSpec | null } {
  if (request.judge !== undefined && request.metric !== undefined && request.judge !== request.metric) {
    throw new UsageError(`--metric is another name for --judge; "${request.judge}" and "${request.metric}" were both given.`, 'Give one judge per job.');
  }
  const rubricText = request.judge ?? request.metric;
  if (rubricText === undefined) {
    const stray = request.judgeScale !== undefined ? '--judge-scale' : request.passThreshold !== undefined ? '--pass-threshold' : request.judgeContext !== undefined ? '--judge-context' : undefined;
    if (stray) throw new UsageError(`${stray} needs --judge <rubric>.`, 'For example --judge relevance.');
  }
  if (request.judgeModel !== undefined && rubricText === undefined && request.pairwise === undefined) {
    throw new UsageError('--judge-model needs --judge or --pairwise.');
  }
  const model = rubricText !== undefined || request.pairwise !== undefined ? judgeModel(request, spec) : null;
  const judge = rubricText === undefined ? null : judgeSpec(rubricText, model!, request, table);
  const pairwise = request.pairwise === undefined ? null : pairwiseSpec(request.pairwise, model!, request, spec, table);
  checkGates(request.gates, judge, pairwise, spec);
  return { judge, pairwise };
}

function judgeModel(request: JudgeRequest, spec: Pick<JobSpec, 'variants'>): JudgeModel {
  const first = spec.variants[0];
  if (request.judgeModel === undefined) return { model: first.model, provider: first.provider, base_url: first.base_url, price: first.price };
  const choice = resolveModel(request.judgeModel, request.settings.baseUrl, request.env);
  if (request.needKeys) apiKeyFor(choice, request.env);
  const price = priceFor(choice.model, request.settings.pricing);
  if (request.settings.maxCost !== undefined && !price) {
    throw new UsageError(
      `--max-cost needs a price for the judge model ${choice.model}, and evalctl does not know one.`,
      `Add it under "pricing" in .evalrc, e.g. {"pricing": {"${choice.model}": {"input": 0.5, "output": 1.5}}} (USD per million tokens).`,
    );
  }
  return { model: choice.model, provider: choice.provider, base_url: choice.baseURL ?? null, price: price !== undefined && price !== priceFor(choice.model) ? price : null };
}

function judgeSpec(text: string, model: JudgeModel, request: JudgeRequest, table: { columns: readonly string[]; label: string }): JudgeSpec {
  const rubric = loadRubric(text, '--judge', request.cwd);
  const compiled = compileRubric(rubric.prompt, '--judge', JUDGE_PLACEHOLDERS, table.columns, table.label);
  const uses = (name: string) => compiled.specials.includes(name);
  if (!uses('prediction')) throw new UsageError(`The --judge rubric "${rubric.name}" has no {prediction} placeholder, so the judge would never see the answer.`, 'Put {prediction} where the answer to grade goes.');
  if (uses('ground_truth') && request.groundTruth === undefined) throw new UsageError(`The --judge rubric "${rubric.name}" compares with {ground_truth}: add --ground-truth <column>.`);
  if (uses('context') && request.judgeContext === undefined) throw new UsageError(`The --judge rubric "${rubric.name}" reads {context}: name the column with --judge-context <column>.`);
  if (request.judgeContext !== undefined) checkColumn('--judge-context column', request.judgeContext, table.columns, table.label, 'Name the column holding the context the answer should be faithful to.');
  const scale = request.judgeScale === undefined ? DEFAULT_SCALE : parseScale(request.judgeScale);
  const threshold = request.passThreshold ?? defaultThreshold(scale);
  if (threshold < scale[0] || threshold > scale[1]) throw new UsageError(`--pass-threshold ${threshold} is outside the judge's scale ${scale[0]}-${scale[1]}.`);
  return {
    name: rubric.name, ...model, prompt: rubric.prompt, scale, pass_threshold: threshold,
    ground_truth: request.groundTruth ?? null, context_column: request.judgeContext ?? null,
  };
}

function pairwiseSpec(text: string, model: JudgeModel, request: JudgeRequest, spec: Pick<JobSpec, 'variants'>, table: { columns: readonly string[]; label: string }): PairwiseSpec {
  if (spec.variants.length !== 2) {
    throw new UsageError(`--pairwise compares exactly two variants; this job has ${spec.variants.length}.`, 'Give two --model (or two --prompt) flags.');
  }
  const rubric = loadRubric(text, '--pairwise', request.cwd);
  const compiled = compileRubric(rubric.prompt, '--pairwise', PAIRWISE_PLACEHOLDERS, table.columns, table.label);
  const missing = ['answer_a', 'answer_b'].filter((name) => !compiled.specials.includes(name));
  if (missing.length) throw new UsageError(`The --pairwise rubric "${rubric.name}" has no ${missing.map((m) => `{${m}}`).join(' or ')} placeholder.`, 'Put {answer_a} and {answer_b} where the two answers go.');
  return { name: rubric.name, ...model, prompt: rubric.prompt };
}

/** `1-5` -> [1, 5]; whole numbers, the first below the second. */
export function parseScale(text: string): [number, number] {
  const match = /^\s*(-?\d+)\s*(?:-|\.\.|to)\s*(-?\d+)\s*$/.exec(text);
  const scale = match ? [Number(match[1]), Number(match[2])] as [number, number] : undefined;
  if (!scale || scale[0] >= scale[1]) throw new UsageError(`--judge-scale "${text}" is not <low>-<high> with whole numbers, low below high.`, 'Write it as 1-5 or 0-10.');
  return scale;
}

function checkGates(gates: readonly Gate[], judge: JudgeSpec | null, pairwise: PairwiseSpec | null, spec: Pick<JobSpec, 'variants'>): void {
  for (const gate of gates) {
    if ((gate.metric === 'judge_score' || gate.metric === 'pass_rate:judge') && !judge) throw new UsageError(`--fail-under ${gate.metric} needs --judge <rubric>.`);
    if (!gate.metric.startsWith('win_rate:')) continue;
    if (!pairwise) throw new UsageError(`--fail-under ${gate.metric} needs --pairwise <rubric>.`);
    const name = gate.metric.slice(9);
    if (!spec.variants.some((v) => v.name === name)) throw new UsageError(`--fail-under ${gate.metric}: no variant is named "${name}" (variants: ${spec.variants.map((v) => v.name).join(', ')}).`);
  }
}

/**
 * Puts the judge and pairwise specs into a checked plan's job spec (so `resume` judges the same
 * way), refusing judge columns the table already has unless `overwrite`. Nothing is stored when
 * no judge flag was given, so such records look as before.
 */
export function attachJudging(plan: { record: { settings: JobSpec }; dataset: { columns: readonly { name: string }[]; label: string } }, request: JudgeRequest & { overwrite?: boolean }): void {
  if (!wantsJudging(request) && request.judgeModel === undefined && request.judgeScale === undefined && request.passThreshold === undefined && request.judgeContext === undefined) return;
  const spec = plan.record.settings;
  const columns = plan.dataset.columns.map((c) => c.name);
  const { judge, pairwise } = resolveJudging(request, spec, { columns, label: plan.dataset.label });
  const added = [
    ...(judge ? spec.variants.flatMap((_, i) => judgeColumns({ judge }, i, variantPrefix(spec, i))) : []),
    ...pairwiseColumns({ ...spec, pairwise }),
  ].map((c) => c.name);
  const clash = request.overwrite ? undefined : added.find((name) => columns.includes(name));
  if (clash) throw new InputError(`Column "${clash}" already exists in ${plan.dataset.label}.`, 'Choose another name with --target-column, or pass --overwrite to replace it in the output.');
  if (judge) spec.judge = judge;
  if (pairwise) spec.pairwise = pairwise;
}
