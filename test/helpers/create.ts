import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { stubAnswer, type Stub } from '../stub/server.js';
import type { CliResult } from './cli.js';

export type Wire = 'openai' | 'anthropic';

/** The model each wire is exercised with. */
export const WIRE_MODEL: Record<Wire, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5' };

/** Environment pointing the CLI at the stub over one wire, with state under `home`. */
export function stubEnv(stub: Stub, wire: Wire, home: string): Record<string, string> {
  return wire === 'openai'
    ? { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: stub.openaiBaseURL, EVALCTL_HOME: home }
    : { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: stub.anthropicBaseURL, EVALCTL_HOME: home };
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The stub's token count (four characters a token), as it reports usage. */
export const stubTokens = (text: string): number => Math.ceil(text.length / 4);

/**
 * Checks one finished run against the prompts it should have sent, in row order: each output
 * row's answer is `stubAnswer(prompt)` with no error, every prompt was paid exactly once, and
 * stderr carries the bill (rows, tokens, cost, output path). `price` is USD per million tokens.
 */
export function expectAnswered(
  result: CliResult,
  rows: Record<string, unknown>[],
  prompts: string[],
  options: { stub: Stub; output: string; target?: string; system?: string; price?: { input: number; output: number } },
): void {
  const target = options.target ?? 'prediction';
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(/^evalctl:/m);
  expect(rows.map((row) => row[target])).toEqual(prompts.map(stubAnswer));
  expect(rows.map((row) => row[`${target}_error`])).toEqual(prompts.map(() => null));
  expect(rows.map((row) => row[`${target}_status`])).toEqual(prompts.map(() => 'answered'));
  const stats = options.stub.stats();
  expect(stats.paid).toBe(prompts.length);
  expect(stats.duplicates).toBe(0);
  for (const prompt of prompts) expect(options.stub.paidCount(prompt)).toBe(1);

  const promptTokens = prompts.reduce((sum, p) => sum + stubTokens((options.system ?? '') + p), 0);
  const completionTokens = prompts.reduce((sum, p) => sum + stubTokens(stubAnswer(p)), 0);
  const total = promptTokens + completionTokens;
  const n = (value: number) => value.toLocaleString('en-US');
  expect(result.stderr).toContain(`rows       ${n(prompts.length)} done, 0 failed (of ${n(prompts.length)})`);
  expect(result.stderr).toContain(`tokens     ${n(promptTokens)} prompt + ${n(completionTokens)} completion = ${n(total)}`);
  if (options.price) {
    const cost = (promptTokens * options.price.input + completionTokens * options.price.output) / 1e6;
    expect(result.stderr).toContain(`cost       $${cost < 0.01 ? cost.toFixed(6) : cost.toFixed(4)}`);
  }
  expect(result.stderr).toContain(`output     ${options.output}`);
}
