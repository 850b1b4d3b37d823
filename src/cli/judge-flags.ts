import { InvalidArgumentError, type Command } from 'commander';
import type { JobRecord } from '../core/jobs.js';
import type { JudgeUsage } from '../core/judge/metrics.js';
import type { JudgeRequest } from '../core/judge/resolve.js';
import type { VariantMetrics } from '../core/score/measure.js';
import { formatCost } from './render.js';
import { formatCount } from './format.js';

/** The judge flags of `create`, by commander's names: the flag half of the core's request. */
export type JudgeFlags = Pick<JudgeRequest, 'judge' | 'metric' | 'judgeModel' | 'judgeScale' | 'passThreshold' | 'judgeContext' | 'pairwise'>;

/** Adds the LLM-judge flags to `create`. */
export function judgeOptions(command: Command): void {
  command
    .option('--judge <rubric>', 'score every answer with an LLM judge: relevance, correctness, faithfulness, helpfulness, conciseness, a rubric file, or a prompt with {prediction}')
    .option('--metric <name>', 'another name for --judge (as custom_metrics names them)')
    .option('--judge-model <id>', 'the model that judges (default: the first variant\'s)')
    .option('--judge-scale <low-high>', 'the judge\'s score scale (default: 1-5)')
    .option('--pass-threshold <n>', 'a judge score at or above this passes (default: the scale\'s midpoint rounded up, 3 on 1-5)', parseNumber)
    .option('--judge-context <column>', 'the column {context} reads (the faithfulness rubric)')
    .option('--pairwise <rubric>', 'compare two variants row by row with an LLM judge, both orders: pairwise, a rubric file, or a prompt with {answer_a} and {answer_b}');
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('Must be a number on the judge\'s scale.');
  return n;
}


/** The judges' spend and the pairwise record, for the end-of-run summary on stderr (empty when nothing was judged). */
export function judgeSummaryLines(job: JobRecord): string[] {
  const lines: string[] = [];
  const usage = (label: string, u: JudgeUsage | null | undefined, model: string) => {
    if (!u) return;
    lines.push(`${label} ${formatCount(u.judged)} verdicts, ${formatCount(u.failed)} failed; ${formatCount(u.prompt_tokens)} prompt + ${formatCount(u.completion_tokens)} completion tokens, ${formatCost(u.cost_usd)} with ${model} (apart from the answers' cost)`);
  };
  usage('judge     ', job.judge_usage, job.settings.judge?.model ?? '');
  usage('pairwise  ', job.pairwise_usage, job.settings.pairwise?.model ?? '');
  return [...lines, ...pairwiseLines(job.metrics ?? {})];
}

/** Each variant's pairwise record, a line each (none without a pairwise comparison). */
export function pairwiseLines(metrics: Readonly<Record<string, VariantMetrics>>): string[] {
  return Object.entries(metrics).flatMap(([name, m]) => {
    const p = m.pairwise;
    return p ? [`pairwise   ${name}: ${formatCount(p.wins)} won, ${formatCount(p.ties)} tied, ${formatCount(p.losses)} lost against ${p.opponent} (win rate ${p.win_rate === null ? '-' : p.win_rate.toFixed(4)}${p.errors ? `; ${formatCount(p.errors)} rows not judged` : ''})`] : [];
  });
}
