import type { Command } from 'commander';
import type { PromptTemplate } from '../core/templates.js';
import type { Context, Runner } from './main.js';
import { fitWidth, onStdout, paint } from './render.js';

/** Declares `evalctl templates` and `evalctl templates show <name>`. */
export function register(root: Command, run: Runner): void {
  const templates = root.command('templates')
    .summary('list the prompt templates that ship with evalctl')
    .description('List the built-in prompt templates with the columns each reads; use one with `evalctl create <file> --template <name>`.')
    .option('--json', 'print the templates as a JSON array on stdout')
    .addHelpText('after', '\nExamples:\n  evalctl templates\n  evalctl templates show sentiment\n  evalctl create reviews.csv --template sentiment --model gpt-4o-mini')
    .action(run(async () => ({ default: list })));
  templates.command('show')
    .description('Print a template: its description, defaults, placeholders and prompt.')
    .argument('<name>', 'a built-in template name, or a template file')
    .option('--json', 'print the template as JSON on stdout')
    .action(run(async () => ({ default: show })));
}

async function list(context: Context, flags: { json?: boolean }): Promise<number> {
  const { builtInTemplates } = await import('../core/templates.js');
  const all = await builtInTemplates();
  const { t } = context;
  if (flags.json) {
    t.out.write(`${JSON.stringify(all, null, 2)}\n`);
    return 0;
  }
  const o = onStdout(t);
  const width = Math.max(...all.map((template) => template.name.length));
  for (const template of all) {
    const columns = template.placeholders.map((c) => `{${c}}`).join(' ');
    t.out.write(`${fitWidth(t.out, `${paint(o, 'bold', template.name.padEnd(width))}  ${template.description}  ${paint(o, 'cyan', columns)}`)}\n`);
  }
  return 0;
}

async function show(context: Context, name: string, flags: { json?: boolean }): Promise<number> {
  const { findTemplate } = await import('../core/templates.js');
  const template = await findTemplate(name, context.cwd);
  const { t } = context;
  if (flags.json) t.out.write(`${JSON.stringify(template, null, 2)}\n`);
  else t.out.write(describe(template));
  return 0;
}

function describe(template: PromptTemplate): string {
  const lines = [
    `${template.name}: ${template.description}`,
    `  file          ${template.path}`,
    `  placeholders  ${template.placeholders.map((c) => `{${c}}`).join(' ')}`,
    ...Object.entries(template.defaults).map(([key, value]) => `  ${key.padEnd(13)} ${typeof value === 'string' ? value.replace(/\n/g, ' ') : JSON.stringify(value)}`),
    ...(template.choices ? [`  choices       ${template.choices}`] : []),
    '',
    template.prompt,
  ];
  return `${lines.join('\n')}\n`;
}
