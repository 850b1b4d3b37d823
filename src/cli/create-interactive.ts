import type { Command } from 'commander';
import type { Settings } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import type { Plan } from '../core/plan.js';
import { formatCost, formatCount } from './format.js';
import type { Context } from './main.js';

/** The flags of `create` the questions can fill in. */
export interface AskableFlags {
  prompt?: string[];
  promptFile?: string[];
  model?: string[];
  groundTruth?: string;
}

/**
 * Questions only on a terminal a person sits at: stdin and stderr are terminals and CI is not
 * set. Anywhere else a missing argument is an error, never a prompt that would hang a script.
 */
export function canAsk(context: Context): boolean {
  return Boolean(context.stdin.isTTY && context.t.err.isTTY) && !context.env.CI;
}

/**
 * Fills in what `create` was not given by asking (see `askCreate`), or refuses in one line when
 * it cannot ask. Returns the source, and whether questions were asked (then the cost is shown
 * and confirmed before anything is sent: see `confirmCost`), or 'cancelled' (Ctrl-C, Escape).
 */
export async function completeCreate(context: Context, source: string | undefined, flags: AskableFlags, settings: Settings, command: Command): Promise<{ source: string; asked: boolean } | 'cancelled'> {
  const missingPrompt = !flags.prompt?.length && !flags.promptFile?.length && !settings.variants?.length;
  if (source !== undefined && !missingPrompt) return { source, asked: false };
  if (!canAsk(context)) {
    if (source === undefined) throw new UsageError('create needs a source file.', 'Run `evalctl create <file> --prompt "Classify: {review}"`; on a terminal, `evalctl create` alone asks for what it needs.');
    return { source, asked: false };
  }
  const { askCreate, WizardCancelled } = await import('./wizard.js');
  const answers = await askCreate({ input: context.stdin, output: context.t.err }, context.cwd, {
    source,
    prompt: missingPrompt ? undefined : flags.prompt?.[0] ?? '',
    model: flags.model?.length ? flags.model[0] : undefined,
    targetColumn: command.getOptionValueSource('targetColumn') === 'cli' ? settings.targetColumn : undefined,
    groundTruth: flags.groundTruth,
  }, { model: settings.model, targetColumn: settings.targetColumn }).catch((error: unknown) => {
    if (error instanceof WizardCancelled) return undefined;
    throw error;
  });
  if (!answers) return 'cancelled';
  if (missingPrompt) flags.prompt = [answers.prompt];
  if (!flags.model?.length) flags.model = [answers.model];
  settings.targetColumn = answers.targetColumn;
  if (answers.groundTruth) flags.groundTruth = answers.groundTruth;
  return { source: answers.source, asked: true };
}

/** After the questions: the estimated cost, and a last yes or no before anything is sent. */
export async function confirmCost(context: Context, plan: Plan): Promise<boolean> {
  const { estimateJob } = await import('../core/estimate.js');
  const { confirmRun } = await import('./wizard.js');
  const estimates = await estimateJob(plan.dataset, plan.record);
  const costs = estimates.map((e) => (e.cost ? `${formatCost(e.cost.low)} to ${formatCost(e.cost.high)}` : `unknown (no price for ${e.model})`));
  return confirmRun({ input: context.stdin, output: context.t.err }, `${formatCount(plan.record.rows)} rows with ${estimates.map((e) => e.model).join(', ')}: estimated cost ${costs.join(' + ')}.`);
}
