// Every command's --help ends with two or three real examples of itself.
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const COMMANDS = ['create', 'score', 'status', 'list', 'cancel', 'export', 'resume', 'templates', 'config', 'init'];

describe('--help', () => {
  const { dir } = tempDir();
  it.each(COMMANDS)('evalctl %s --help shows examples of it', async (command) => {
    const result = await runCli([command, '--help'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const [, examples] = result.stdout.split('\nExamples:\n');
    expect(examples, result.stdout).toBeDefined();
    const lines = examples.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(/^ {2}(\S+ )*evalctl [a-z]/);
    expect(lines.filter((line) => new RegExp(`evalctl ${command}\\b`).test(line)).length).toBeGreaterThanOrEqual(2);
  });

  it('evalctl --help shows examples too', async () => {
    const result = await runCli(['--help'], { cwd: dir });
    expect(result.stdout).toMatch(/\nExamples:\n {2}evalctl create examples\/reviews\.csv/);
  });
});
