import { UsageError } from '../errors.js';
import { estimateJob, totalCost } from '../estimate.js';
import { estimateJudging } from '../judge/estimate.js';
import type { Plan } from '../plan.js';

/**
 * `--max-cost` with `--batch-api`: a provider batch cannot be stopped half-way the way a live
 * run stops at its budget, so the whole job must fit before it is sent. Its cost at batch
 * prices is estimated as `--dry-run --batch-api` shows it, answers and judges (which go through
 * batches too) together, and the job is refused in one line when the high end of the range
 * passes the budget, or when a model has no price.
 */
export async function checkBatchBudget(plan: Plan): Promise<void> {
  const maxCost = plan.record.settings.max_cost;
  if (maxCost === null || maxCost === undefined) return;
  const answers = await estimateJob(plan.dataset, plan.record);
  const judges = await estimateJudging(plan.dataset, plan.record, answers);
  const unpriced = [...answers, ...judges].find((e) => e.batchCost === null);
  if (unpriced) {
    throw new UsageError(`--max-cost needs a price for ${unpriced.model}, and evalctl has none.`, 'Add its price under "pricing" in .evalrc, or run without --max-cost.');
  }
  const { low, high } = totalCost([...answers, ...judges], 'batchCost')!;
  if (high <= maxCost) return;
  const dollars = (x: number) => `$${x < 0.01 ? x.toFixed(6) : x.toFixed(4)}`;
  const judging = totalCost(judges, 'batchCost')!;
  const share = judges.length ? ` (judges ${dollars(judging.low)} to ${dollars(judging.high)} of it)` : '';
  throw new UsageError(
    `--batch-api with --max-cost ${dollars(maxCost)}: this job may cost ${dollars(low)} to ${dollars(high)} at batch prices${share}, and a provider batch cannot be stopped at the budget. Nothing was sent.`,
    low > maxCost ? 'Raise --max-cost, or send fewer rows (--sample).' : 'Bound the answers with --max-tokens, raise --max-cost, or send fewer rows (--sample).',
  );
}
