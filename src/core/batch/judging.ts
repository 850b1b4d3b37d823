import { existsSync } from 'node:fs';
import { readAnswers } from '../answers.js';
import type { JobRecord } from '../jobs.js';
import type { JudgeUsage } from '../judge/metrics.js';
import type { JudgePhase } from '../judge/phases.js';
import { priceFor } from '../pricing.js';
import { answerTarget, judgeTarget, type CollectTarget } from './collect.js';
import type { ProviderBatch } from './types.js';

/** Where a batch's results go: the answer log, or its judging phase's log; undefined for a phase the job no longer has. */
export function destinationOf(job: JobRecord, answers: string, phases: readonly JudgePhase[], batch: ProviderBatch): { log: string; target: CollectTarget } | undefined {
  if (!batch.phase) return { log: answers, target: answerTarget(job.settings) };
  const phase = phases.find((p) => p.kind === batch.phase);
  return phase && { log: phase.log, target: judgeTarget(job.settings, phase) };
}

/**
 * The spend of each judging phase, from its log (every run's verdicts, at the batch price each
 * was logged with), in the record's `judge_usage` / `pairwise_usage` shape, as the live phase reports it.
 * A phase that never ran (the answers were cancelled) is left out: the record keeps what it had.
 */
export async function judgeUsages(phases: readonly JudgePhase[], rows: number): Promise<Partial<Pick<JobRecord, 'judge_usage' | 'pairwise_usage'>>> {
  const usages: Partial<Record<JudgePhase['key'], JudgeUsage>> = {};
  for (const phase of phases) {
    if (!existsSync(phase.log)) continue;
    const { tallies } = await readAnswers(phase.log, rows, phase.lanes);
    const sum = (key: 'answered' | 'failed' | 'promptTokens' | 'completionTokens' | 'cost') => tallies.reduce((total, t) => total + t[key], 0);
    const priced = Boolean(phase.model.price ?? priceFor(phase.model.model));
    usages[phase.key] = { judged: sum('answered'), failed: sum('failed'), prompt_tokens: sum('promptTokens'), completion_tokens: sum('completionTokens'), cost_usd: priced ? sum('cost') : null };
  }
  return usages;
}
