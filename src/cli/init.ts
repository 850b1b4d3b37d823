import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../core/errors.js';
import { canAsk } from './create-interactive.js';
import type { Context, Runner } from './main.js';
import { say } from './render.js';

/** Declares `evalctl init`. */
export function register(root: Command, run: Runner): void {
  root.command('init')
    .summary('write a starter .evalrc.json by answering a few questions')
    .description('Ask for a sample file, the prompt, the model and the answer column (as `evalctl create` asks on a terminal), and write them to .evalrc.json here, so `evalctl create <file>` needs nothing else.')
    .option('--force', 'replace an existing .evalrc.json')
    .addHelpText('after', '\nExamples:\n  evalctl init\n  evalctl init --force')
    .action(run(async () => ({ default: init })));
}

async function init(context: Context, flags: { force?: boolean }): Promise<number> {
  const path = join(context.cwd, '.evalrc.json');
  if (existsSync(path) && !flags.force) throw new UsageError(`${path} exists already.`, 'Edit it, or run `evalctl init --force` to replace it.');
  if (!canAsk(context)) throw new UsageError('evalctl init asks questions, and this is not a terminal (or CI is set).', 'Copy .evalrc.example.json from the package instead, or run init in a terminal.');
  const { askCreate, WizardCancelled } = await import('./wizard.js');
  let answers;
  try {
    answers = await askCreate({ input: context.stdin, output: context.t.err }, context.cwd, {}, { model: 'gpt-4o-mini', targetColumn: 'prediction' });
  } catch (error) {
    if (error instanceof WizardCancelled) { say(context.t, 'Nothing written.'); return ExitCode.Cancelled; }
    throw error;
  }
  // The prompt goes in as the one variant, so `evalctl create <file>` finds it; -p replaces it.
  const config = {
    $schema: './node_modules/evalctl/schema/evalrc.schema.json',
    model: answers.model,
    targetColumn: answers.targetColumn,
    variants: [{ prompt: answers.prompt }],
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  const file = relative(context.cwd, answers.source) || answers.source;
  say(context.t, `Wrote ${path}. Next: \`evalctl create ${file}${answers.groundTruth ? ` --ground-truth ${answers.groundTruth}` : ''} --dry-run\`, then without --dry-run.`);
  return ExitCode.Ok;
}
