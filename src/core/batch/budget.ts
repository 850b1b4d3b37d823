import { UsageError } from '../errors.js';
import { estimateJob } from '../estimate.js';
import type { Plan } from '../plan.js';

/**
 * `--max-cost` with `--batch-api`: a provider batch cannot be stopped half-way the way a live
 * run stops at its budget, so the whole job must fit before it is sent. The answers' cost at
 * batch prices is estimated (as `--dry-run --batch-api` shows it) and the job is refused in one
 * line when the high end of the range passes the budget, or when a model has no price.
 * Judges' spend is not in the estimate.
 */
export async function checkBatchBudget(plan: Plan): Promise<void> {
  const maxCost = plan.record.settings.max_cost;
  if (maxCost === null || maxCost === undefined) return;
  const estimates = await estimateJob(plan.dataset, plan.record);
  const unpriced = estimates.find((e) => e.batchCost === null);
  if (unpriced) {
    throw new UsageError(`--max-cost needs a price for ${unpriced.model}, and evalctl has none.`, 'Add its price under "pricing" in .evalrc, or run without --max-cost.');
  }
  const low = estimates.reduce((sum, e) => sum + e.batchCost!.low, 0);
  const high = estimates.reduce((sum, e) => sum + e.batchCost!.high, 0);
  if (high <= maxCost) return;
  const dollars = (x: number) => `$${x < 0.01 ? x.toFixed(6) : x.toFixed(4)}`;
  throw new UsageError(
    `--batch-api with --max-cost ${dollars(maxCost)}: this job may cost ${dollars(low)} to ${dollars(high)} at batch prices, and a provider batch cannot be stopped at the budget. Nothing was sent.`,
    low > maxCost ? 'Raise --max-cost, or send fewer rows (--sample).' : 'Bound the answers with --max-tokens, raise --max-cost, or send fewer rows (--sample).',
  );
}
