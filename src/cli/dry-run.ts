import { estimateJob, type Estimate } from '../core/estimate.js';
import type { Plan } from '../core/plan.js';
import type { Context } from './main.js';
import { formatCost, paint, say } from './render.js';

/** `create --dry-run`: the prompts, row count and cost range per variant and in total, with no request made and no key needed. */
export async function dryRun(context: Context, plan: Plan, json: boolean): Promise<number> {
  const { t } = context;
  try {
    const estimates = await estimateJob(plan.dataset, plan.record);
    const total = totalCost(estimates);
    const batch = plan.record.settings.batch === true;
    const range = (cost: Estimate['cost']) => cost ? `${formatCost(cost.low)} to ${formatCost(cost.high)}` : null;
    if (json) {
      // snake_case, like the job record.
      const report = {
        dry_run: true,
        output: plan.record.output,
        rows: plan.record.rows,
        variants: estimates.map((e, i) => ({
          name: e.name,
          model: e.model,
          prompts: e.examples,
          input_tokens: e.inputTokens,
          input_tokens_method: e.method,
          measured_rows: e.measuredRows,
          output_tokens_per_row: e.outputTokensPerRow,
          output_tokens_assumed: plan.record.settings.variants[i].max_tokens === null,
          cost_usd: e.cost,
          ...(batch ? { batch_cost_usd: e.batchCost } : {}),
        })),
        input_tokens: estimates.reduce((sum, e) => sum + e.inputTokens, 0),
        cost_usd: total,
        ...(batch ? { batch_cost_usd: totalCost(estimates, 'batchCost') } : {}),
      };
      t.out.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const integer = new Intl.NumberFormat('en-US');
    const several = estimates.length > 1;
    say(t, paint(t, 'bold', `Dry run: no requests will be made.`));
    estimates.forEach((e, v) => {
      const maxTokens = plan.record.settings.variants[v].max_tokens;
      if (several) say(t, paint(t, 'bold', `Variant ${e.name} (${e.model})`));
      e.examples.forEach((prompt, i) => {
        say(t, paint(t, 'dim', `--- prompt ${i + 1} ---`));
        say(t, prompt);
      });
      say(t, paint(t, 'dim', '---'));
      say(t, `  rows           ${integer.format(e.rows)}`);
      say(t, `  input tokens   ${integer.format(e.inputTokens)} (${e.method === 'tokenizer' ? "OpenAI's tokenizer" : 'estimated at 4 characters a token'}${e.measuredRows < e.rows ? `, measured on the first ${integer.format(e.measuredRows)} rows` : ''})`);
      say(t, `  output tokens  ${e.outputTokensPerRow.low} to ${e.outputTokensPerRow.high} a row (${maxTokens ? 'up to --max-tokens' : 'assumed; set --max-tokens to bound it'})`);
      say(t, `  cost           ${e.cost ? `${range(e.cost)}${batch ? ` live, ${range(e.batchCost)} at batch prices` : ''}` : `unknown (no price for ${e.model})`} with ${e.model}`);
    });
    if (several) say(t, `  total cost     ${total ? `${range(total)}${batch ? ` live, ${range(totalCost(estimates, 'batchCost'))} at batch prices` : ''}` : 'unknown (a variant has no price)'} for ${estimates.length} variants`);
    say(t, `  output         ${plan.record.output}`);
    return 0;
  } finally {
    plan.dataset.close();
  }
}

/** The sum of the variants' ranges, or null when any has no price. */
function totalCost(estimates: Estimate[], key: 'cost' | 'batchCost' = 'cost'): { low: number; high: number } | null {
  if (estimates.some((e) => e[key] === null)) return null;
  return estimates.reduce((sum, e) => ({ low: sum.low + e[key]!.low, high: sum.high + e[key]!.high }), { low: 0, high: 0 });
}
