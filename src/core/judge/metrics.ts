import { existsSync } from 'node:fs';
import { entryOf, forEachLine } from '../answers-by-row.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { judgeLogPaths } from './columns.js';
import type { EvaluatorSummary, VariantMetrics } from '../score/measure.js';

/** One variant's record against the other in a pairwise comparison, over rows both answered. */
export interface PairwiseSummary {
  /** The other variant's name. */
  opponent: string;
  /** Rows with a verdict in both orders. */
  judged: number;
  wins: number;
  /** Rows judged a tie, or where the two orders disagreed. */
  ties: number;
  losses: number;
  /** Rows both variants answered whose verdict is missing in some order (a failed call, an unreadable verdict). */
  errors: number;
  /** `(wins + ties / 2) / judged`: 0.5 is even; null with nothing judged. */
  win_rate: number | null;
}

/** The spend of a judging phase, reported apart from the answers' (`judge_usage`, `pairwise_usage`). */
export interface JudgeUsage {
  /** Pairs with a verdict line (answered or cached), and pairs whose call failed after retries. */
  judged: number;
  failed: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Null when the judge model has no price. */
  cost_usd: number | null;
}

/** Per (row, lane), the judge's winning line (a verdict beats an error; of two, the later): its score, pass and verdict. */
export interface JudgeOutcomes {
  /** NaN where there is no score. */
  score: Float64Array;
  /** 0: none, 1: fails, 2: passes. */
  pass: Uint8Array;
  /** 0: none, 1: A, 2: B, 3: tie. */
  verdict: Uint8Array;
  /** 0: no line, 1: a failed call, 2: an answered call. */
  kind: Uint8Array;
  /** Per lane, the judge error (an unreadable verdict) of the lowest row that has one. */
  firstErrors: Map<number, { row: number; message: string }>;
}

const VERDICTS: Record<string, number> = { A: 1, B: 2, tie: 3 };

/** Reads a judge log in one streaming pass (memory: 11 bytes per pair). */
export async function readJudgeOutcomes(path: string, rows: number, lanes: number): Promise<JudgeOutcomes> {
  const size = rows * lanes;
  const outcomes: JudgeOutcomes = { score: new Float64Array(size).fill(Number.NaN), pass: new Uint8Array(size), verdict: new Uint8Array(size), kind: new Uint8Array(size), firstErrors: new Map() };
  if (!existsSync(path)) return outcomes;
  await forEachLine(path, (line) => {
    const entry = entryOf(line, rows, lanes);
    if (!entry) return;
    const at = entry.row * lanes + entry.variant;
    const kind = entry.status === 'failed' ? 1 : 2;
    if (kind < outcomes.kind[at]) return;
    outcomes.kind[at] = kind;
    const extra = kind === 2 ? JSON.parse(line.toString('utf8')) as { score?: unknown; pass?: unknown; verdict?: unknown; judge_error?: unknown } : {};
    const first = outcomes.firstErrors.get(entry.variant);
    if (typeof extra.judge_error === 'string' && (!first || first.row > entry.row)) outcomes.firstErrors.set(entry.variant, { row: entry.row, message: extra.judge_error });
    outcomes.score[at] = typeof extra.score === 'number' ? extra.score : Number.NaN;
    outcomes.pass[at] = typeof extra.pass === 'boolean' ? (extra.pass ? 2 : 1) : 0;
    outcomes.verdict[at] = typeof extra.verdict === 'string' ? VERDICTS[extra.verdict] ?? 0 : 0;
  });
  return outcomes;
}

/**
 * The judge as an evaluator named `judge` in each variant's metrics (so `pass_rate:judge`,
 * the tables and the step summary read it as any evaluator): `evaluated` is every pair with an
 * answer; a pair without a score (the judge's call failed, its answer was unreadable, or it was
 * not judged yet) does not pass and counts in `errors`.
 */
export function judgeSummaries(job: Pick<JobRecord, 'variants'>, outcomes: JudgeOutcomes, rows: number): EvaluatorSummary[] {
  const lanes = job.variants.length;
  return job.variants.map((v, variant) => {
    let passed = 0, scored = 0, sum = 0;
    for (let row = 0; row < rows; row++) {
      const at = row * lanes + variant;
      if (outcomes.pass[at] === 2) passed += 1;
      if (!Number.isNaN(outcomes.score[at])) { scored += 1; sum += outcomes.score[at]; }
    }
    const evaluated = v.processed - v.failed_rows;
    return {
      name: 'judge', evaluated, passed, errors: Math.max(0, evaluated - scored),
      pass_rate: evaluated === 0 ? null : passed / evaluated,
      mean_score: scored === 0 ? null : sum / scored,
      first_error: outcomes.firstErrors.get(variant)?.message ?? null,
    };
  });
}

/**
 * Wins, ties and losses of two variants from the pairwise log: lane 0 showed variant 0 as A,
 * lane 1 showed it as B. A row's winner is the variant both orders chose; when they disagree,
 * or either says tie, the row is a tie (the position, not the answer, decided it).
 */
export function pairwiseSummaries(names: readonly [string, string], outcomes: JudgeOutcomes, rows: number): [PairwiseSummary, PairwiseSummary] {
  let first = 0, second = 0, ties = 0, errors = 0;
  for (let row = 0; row < rows; row++) {
    const ab = outcomes.verdict[row * 2];
    const ba = outcomes.verdict[row * 2 + 1];
    if (ab === 0 || ba === 0) {
      if (outcomes.kind[row * 2] || outcomes.kind[row * 2 + 1]) errors += 1;
      continue;
    }
    // In order B/A the first variant is shown as B.
    const winnerAB = ab === 1 ? 0 : ab === 2 ? 1 : -1;
    const winnerBA = ba === 1 ? 1 : ba === 2 ? 0 : -1;
    if (winnerAB !== -1 && winnerAB === winnerBA) { if (winnerAB === 0) first += 1; else second += 1; } else ties += 1;
  }
  const judged = first + second + ties;
  const side = (wins: number, losses: number, opponent: string): PairwiseSummary => ({
    opponent, judged, wins, ties, losses, errors, win_rate: judged === 0 ? null : (wins + ties / 2) / judged,
  });
  return [side(first, second, names[1]), side(second, first, names[0])];
}

/** Adds the judge's evaluator summary and the pairwise record to each variant's metrics. */
export function withJudgeMetrics(metrics: Record<string, VariantMetrics>, names: readonly string[], judge: EvaluatorSummary[] | null, pairwise: PairwiseSummary[] | null): Record<string, VariantMetrics> {
  const out: Record<string, VariantMetrics> = {};
  names.forEach((name, i) => {
    const m = metrics[name];
    if (!m) return;
    out[name] = {
      ...m,
      evaluators: judge ? [...m.evaluators.filter((e) => e.name !== 'judge'), judge[i]] : m.evaluators,
      ...(pairwise ? { pairwise: pairwise[i] } : {}),
    };
  });
  return out;
}

/** A job's metrics with its judge's and pairwise comparison's figures added, read from their logs. */
export async function addJudgeMetrics(store: JobStore, job: JobRecord, rowCount: number, metrics: Record<string, VariantMetrics>): Promise<Record<string, VariantMetrics>> {
  const s = job.settings;
  const logs = judgeLogPaths(store, job.id);
  const names = s.variants.map((v) => v.name);
  const judge = s.judge ? judgeSummaries(job, await readJudgeOutcomes(logs.judge, rowCount, names.length), rowCount) : null;
  const pairwise = s.pairwise && names.length === 2 ? pairwiseSummaries([names[0], names[1]], await readJudgeOutcomes(logs.pairwise, rowCount, 2), rowCount) : null;
  return withJudgeMetrics(metrics, names, judge, pairwise);
}
