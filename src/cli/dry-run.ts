import { estimateJob } from '../core/estimate.js';
import type { Plan } from '../core/plan.js';
import type { Context } from './main.js';
import { formatCost, paint, say } from './render.js';

/** `create --dry-run`: the prompts, row count and cost range, with no request made. */
export async function dryRun(context: Context, plan: Plan, json: boolean): Promise<number> {
  const { t } = context;
  try {
    const estimate = await estimateJob(plan.dataset, plan.record);
    if (json) {
      // snake_case, like the job record.
      const report = {
        dry_run: true,
        model: plan.record.settings.model,
        output: plan.record.output,
        rows: estimate.rows,
        prompts: estimate.examples,
        input_tokens: estimate.inputTokens,
        input_tokens_method: estimate.method,
        measured_rows: estimate.measuredRows,
        output_tokens_per_row: estimate.outputTokensPerRow,
        output_tokens_assumed: plan.record.settings.max_tokens === null,
        cost_usd: estimate.cost,
      };
      t.out.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const integer = new Intl.NumberFormat('en-US');
    say(t, paint(t, 'bold', `Dry run: no requests will be made.`));
    estimate.examples.forEach((prompt, i) => {
      say(t, paint(t, 'dim', `--- prompt ${i + 1} ---`));
      say(t, prompt);
    });
    say(t, paint(t, 'dim', '---'));
    say(t, `  rows           ${integer.format(estimate.rows)}`);
    say(t, `  input tokens   ${integer.format(estimate.inputTokens)} (${estimate.method === 'tokenizer' ? "OpenAI's tokenizer" : 'estimated at 4 characters a token'}${estimate.measuredRows < estimate.rows ? `, measured on the first ${integer.format(estimate.measuredRows)} rows` : ''})`);
    say(t, `  output tokens  ${estimate.outputTokensPerRow.low} to ${estimate.outputTokensPerRow.high} a row (${plan.record.settings.max_tokens ? 'up to --max-tokens' : 'assumed; set --max-tokens to bound it'})`);
    say(t, `  cost           ${estimate.cost ? `${formatCost(estimate.cost.low)} to ${formatCost(estimate.cost.high)}` : `unknown (no price for ${plan.record.settings.model})`} with ${plan.record.settings.model}`);
    say(t, `  output         ${plan.record.output}`);
    return 0;
  } finally {
    plan.dataset.close();
  }
}
