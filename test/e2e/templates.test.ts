// Prompt templates: the ones that ship, `evalctl templates`, and `create --template` with its
// front-matter defaults between the standing config (file, environment) and the flags.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/reviews.csv');

describe('templates', () => {
  let temp: ReturnType<typeof tempDir>;
  let n = 0;
  beforeAll(() => { temp = tempDir(); });
  afterAll(() => temp?.cleanup());

  it('`evalctl templates` lists at least ten, each with a description and its placeholders', async () => {
    const result = await runCli(['templates', '--json'], { cwd: temp.dir });
    expect(result.code, result.stderr).toBe(0);
    const all = JSON.parse(result.stdout) as { name: string; description: string; placeholders: string[]; prompt: string }[];
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const template of all) {
      expect(template.description, template.name).not.toBe('');
      expect(template.placeholders.length, template.name).toBeGreaterThan(0);
      for (const column of template.placeholders) expect(template.prompt).toContain(`{${column}}`);
    }
    const text = await runCli(['templates'], { cwd: temp.dir });
    expect(text.stdout).toMatch(/^sentiment +Sentiment of a product review.* \{product\} \{review\}$/m);
    expect(text.stdout.trim().split('\n')).toHaveLength(all.length);
  });

  it('`evalctl templates show <name>` prints the defaults and the prompt', async () => {
    const result = await runCli(['templates', 'show', 'pairwise'], { cwd: temp.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('placeholders  {question} {answer_a} {answer_b}');
    expect(result.stdout).toContain('choices       A,B,tie');
    expect(result.stdout).toContain('Answer A:\n{answer_a}');
  });

  /** Runs `create --template` on the example with the offline model; the job record. */
  async function created(args: string[], options: { env?: Record<string, string>; config?: object } = {}) {
    const cwd = join(temp.dir, `run-${(n += 1)}`);
    mkdirSync(cwd);
    if (options.config) writeFileSync(join(cwd, '.evalrc.json'), JSON.stringify(options.config));
    const result = await runCli(['create', EXAMPLE, '-m', 'echo', '-o', join(cwd, 'out.csv'), '--json', ...args], { cwd, env: options.env });
    return { result, job: result.code === 0 || result.code === 3 ? JSON.parse(result.stdout) : undefined, cwd };
  }

  it.each([
    { name: 'the template alone', args: [], target: 'sentiment', maxTokens: 5 },
    { name: 'a config file is overridden by the template', args: [], config: { targetColumn: 'from_config', maxTokens: 50 }, target: 'sentiment', maxTokens: 5 },
    { name: 'an EVALCTL_* variable is overridden by the template', args: [], env: { EVALCTL_TARGET_COLUMN: 'from_env' }, target: 'sentiment', maxTokens: 5 },
    { name: 'a flag overrides the template', args: ['-t', 'mine', '--max-tokens', '9'], target: 'mine', maxTokens: 9 },
    { name: 'a setting the template leaves out comes from the config', args: [], config: { system: 'Be brief.' }, target: 'sentiment', maxTokens: 5, system: 'Be brief.' },
  ])('--template sentiment: $name', async ({ args, config, env, target, maxTokens, system }) => {
    const { result, job } = await created(['--template', 'sentiment', ...args], { config, env });
    expect(result.code, result.stderr).toBe(0);
    expect(job.settings.target_column).toBe(target);
    expect(job.settings.variants[0]).toMatchObject({ max_tokens: maxTokens, system: system ?? null });
    expect(job.settings.variants[0].prompt).toBe(readFileSync(resolve(import.meta.dirname, '../../templates/sentiment.md'), 'utf8').split('---\n')[2].trim());
    expect(job.settings.scoring).toBeFalsy();
  });

  it('its choices are the labels a --ground-truth run scores against; --prompt replaces its prompt', async () => {
    const { result, job } = await created(['--template', 'sentiment', '--ground-truth', 'label', '-p', 'Say {review}']);
    expect(result.code, result.stderr).toBe(0);
    expect(job.settings.scoring.choices).toEqual(['positive', 'negative', 'neutral']);
    expect(job.settings.variants[0].prompt).toBe('Say {review}');
  });

  it('a template file of your own, by path', async () => {
    const path = join(temp.dir, 'mine.md');
    writeFileSync(path, '---\ndescription: mine\nmodel: echo\ntemperature: 0.5\n---\nProduct {product} rated {rating}\n');
    const { result, job } = await created(['--template', path]);
    expect(result.code, result.stderr).toBe(0);
    expect(job.settings.variants[0]).toMatchObject({ prompt: 'Product {product} rated {rating}', temperature: 0.5 });
  });

  it.each([
    { name: 'an unknown name', template: 'sentimnt', code: 2, culprit: 'No template "sentimnt": not a file, nor a built-in template. Did you mean "sentiment"?' },
    { name: 'a bad default', file: '---\nmaxTokens: -1\n---\nHi {review}\n', code: 2, culprit: '"maxTokens" in' },
    { name: 'an unknown key', file: '---\nmodle: echo\n---\nHi {review}\n', code: 2, culprit: 'Did you mean "model"?' },
    { name: 'a placeholder the table lacks', file: '---\ndescription: x\n---\nHi {reveiw}\n', code: 1, culprit: 'Did you mean "review"?' },
  ])('refuses $name in one line', async ({ template, file, code, culprit }) => {
    let name = template;
    if (file) { name = join(temp.dir, `bad-${(n += 1)}.md`); writeFileSync(name, file); }
    const { result } = await created(['--template', name!]);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr.split('\n')[0]).toMatch(/^evalctl: /);
    expect(result.stderr).toContain(culprit);
  });
});
