import { estimateJob, totalCost, type Estimate } from '../core/estimate.js';
import { estimateJudging, type JudgeEstimate } from '../core/judge/estimate.js';
import type { Plan } from '../core/plan.js';
import type { Context } from './main.js';
import { formatCost, paint, say } from './render.js';

/** `create --dry-run`: the prompts, row count and cost range per variant, of the judges, and in total, with no request made and no key needed. */
export async function dryRun(context: Context, plan: Plan, json: boolean): Promise<number> {
  const { t } = context;
  try {
    const estimates = await estimateJob(plan.dataset, plan.record);
    const judges = await estimateJudging(plan.dataset, plan.record, estimates);
    const total = totalCost(estimates);
    const batch = plan.record.settings.batch === true;
    const range = (cost: Estimate['cost']) => cost ? `${formatCost(cost.low)} to ${formatCost(cost.high)}` : null;
    const all = [...estimates, ...judges];
    if (json) {
      // snake_case, like the job record. `cost_usd` stays the answers' (as in the record); `total_*` adds the judges.
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
        ...Object.fromEntries(judges.map((j) => [j.kind, {
          model: j.model,
          calls: j.calls,
          input_tokens: j.inputTokens,
          input_tokens_method: j.method,
          measured_rows: j.measuredRows,
          output_tokens_per_call: j.outputTokensPerCall,
          cost_usd: j.cost,
          ...(batch ? { batch_cost_usd: j.batchCost } : {}),
        }])),
        total_cost_usd: totalCost(all),
        ...(batch ? { total_batch_cost_usd: totalCost(all, 'batchCost') } : {}),
      };
      t.out.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const integer = new Intl.NumberFormat('en-US');
    const several = estimates.length > 1;
    const priced = (cost: Estimate['cost'], batchCost: Estimate['cost']) => `${range(cost)}${batch ? ` live, ${range(batchCost)} at batch prices` : ''}`;
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
      say(t, `  cost           ${e.cost ? priced(e.cost, e.batchCost) : `unknown (no price for ${e.model})`} with ${e.model}`);
    });
    judges.forEach((j) => say(t, judgeLine(j, integer, j.cost ? priced(j.cost, j.batchCost) : null)));
    if (several || judges.length) {
      const what = `${estimates.length} variant${several ? 's' : ''}${judges.length ? ', judges included' : ''}`;
      const sum = totalCost(all);
      say(t, `  total cost     ${sum ? priced(sum, totalCost(all, 'batchCost')) : `unknown (${judges.length ? 'a model' : 'a variant'} has no price)`} for ${what}`);
    }
    say(t, `  output         ${plan.record.output}`);
    return 0;
  } finally {
    plan.dataset.close();
  }
}

/** `  judge          12 calls, ~1,234 to 5,678 input tokens, 20 to 200 output tokens a call (assumed), $a to $b with gpt-4o`. */
function judgeLine(j: JudgeEstimate, integer: Intl.NumberFormat, cost: string | null): string {
  const label = j.kind.padEnd(15);
  const tokens = `~${integer.format(j.inputTokens.low)} to ${integer.format(j.inputTokens.high)} input tokens`;
  const output = `${j.outputTokensPerCall.low} to ${j.outputTokensPerCall.high} output tokens a call (assumed)`;
  return `  ${label}${integer.format(j.calls)} calls, ${tokens}, ${output}, ${cost ?? `cost unknown (no price for ${j.model})`} with ${j.model}`;
}
