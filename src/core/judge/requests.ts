import type { WorkItem } from '../run/work.js';
import { answerText, type RowItems } from './items.js';
import { compileRubric } from './rubric.js';
import { JUDGE_PLACEHOLDERS, PAIRWISE_PLACEHOLDERS, type JudgeSpec, type PairwiseSpec } from './spec.js';
import { parseScore, parseVerdict } from './verdict.js';

type Render = (values: readonly (string | null)[]) => string;
type Table = { columns: readonly string[]; label: string };

/** The columns to stream (the variants' first, so their renderers keep their positions) and a row's requests. */
export interface PhaseRequests {
  columns: string[];
  build: RowItems;
}

/**
 * The judge's requests for one row: one per variant with an answer, the rubric rendered with
 * the row's columns, `{prediction}` (the answer), `{prompt}` (the variant's prompt),
 * `{ground_truth}`, `{context}`, `{scale_min}` and `{scale_max}`.
 */
export function judgeRequests(judge: JudgeSpec, table: Table, variantColumns: readonly string[], renders: readonly Render[]): PhaseRequests {
  const rubric = compileRubric(judge.prompt, '--judge', JUDGE_PLACEHOLDERS, table.columns, table.label);
  const columns = orderOf(variantColumns, [...rubric.columns, ...(judge.ground_truth ? [judge.ground_truth] : []), ...(judge.context_column ? [judge.context_column] : [])]);
  const render = rubric.bind(columns);
  const truthAt = judge.ground_truth ? columns.indexOf(judge.ground_truth) : -1;
  const contextAt = judge.context_column ? columns.indexOf(judge.context_column) : -1;
  const usesPrompt = rubric.specials.includes('prompt');
  return {
    columns,
    build: (row, values, answers) => {
      const items: WorkItem[] = [];
      answers.forEach((cell, variant) => {
        const prediction = answerText(cell);
        if (prediction === null) return;
        items.push({
          row, variant,
          prompt: render(values, {
            prediction, prompt: usesPrompt ? renders[variant](values) : null,
            ground_truth: truthAt === -1 ? null : values[truthAt], context: contextAt === -1 ? null : values[contextAt],
            scale_min: String(judge.scale[0]), scale_max: String(judge.scale[1]),
          }),
        });
      });
      return items;
    },
  };
}

/**
 * The pairwise requests for one row both variants answered: lane 0 shows variant 0 as
 * `{answer_a}` and variant 1 as `{answer_b}`, lane 1 the other way round (position bias
 * cancels). `{prompt}` is the first variant's prompt.
 */
export function pairwiseRequests(pairwise: PairwiseSpec, table: Table, variantColumns: readonly string[], renders: readonly Render[]): PhaseRequests {
  const rubric = compileRubric(pairwise.prompt, '--pairwise', PAIRWISE_PLACEHOLDERS, table.columns, table.label);
  const columns = orderOf(variantColumns, rubric.columns);
  const render = rubric.bind(columns);
  const usesPrompt = rubric.specials.includes('prompt');
  return {
    columns,
    build: (row, values, answers) => {
      const [a, b] = [answerText(answers[0]), answerText(answers[1])];
      if (a === null || b === null) return [];
      const prompt = usesPrompt ? renders[0](values) : null;
      return [
        { row, variant: 0, prompt: render(values, { answer_a: a, answer_b: b, prompt }) },
        { row, variant: 1, prompt: render(values, { answer_a: b, answer_b: a, prompt }) },
      ];
    },
  };
}

/** The fields a judge's answer adds to its log line: score, reason, pass, or the judge error. */
export function readJudgement(text: string, judge: Pick<JudgeSpec, 'scale' | 'pass_threshold'>): Record<string, unknown> {
  const reading = parseScore(text, judge.scale);
  if ('error' in reading) return { score: null, reason: null, pass: null, judge_error: reading.error };
  return { score: reading.score, reason: reading.reason, pass: reading.score >= judge.pass_threshold, judge_error: null };
}

/** The fields a pairwise judge's answer adds to its log line: the verdict (by position), reason, or the judge error. */
export function readPairwise(text: string): Record<string, unknown> {
  const reading = parseVerdict(text);
  if ('error' in reading) return { verdict: null, reason: null, judge_error: reading.error };
  return { verdict: reading.verdict, reason: reading.reason, judge_error: null };
}

function orderOf(first: readonly string[], more: readonly string[]): string[] {
  return [...new Set([...first, ...more])];
}
