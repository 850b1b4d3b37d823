import { InvalidArgumentError, type Command } from 'commander';
import { resolveSettings, type Settings } from '../core/config.js';
import { loadConfigFile } from '../core/config-file.js';
import { ConfigError, UsageError } from '../core/errors.js';

/** Commander parsers: a bad value is a usage error naming the flag (exit code 2). */
export const parse = {
  positiveInt(value: string): number {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Must be a whole number of at least 1.');
    return n;
  },
  nonNegativeInt(value: string): number {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n)) throw new InvalidArgumentError('Must be a whole number of at least 0.');
    return n;
  },
  positive(value: string): number {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('Must be a number greater than 0.');
    return n;
  },
  /** `k/n` with 1 <= k <= n: the k-th of n shards. */
  shard(value: string): { index: number; count: number } {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || count < 1 || index < 1 || index > count) throw new InvalidArgumentError('Must be k/n with 1 <= k <= n, e.g. 2/4 for the second of four shards.');
    return { index, count };
  },
  temperature(value: string): number {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 2) throw new InvalidArgumentError('Must be a number from 0 to 2.');
    return n;
  },
};

/** Flags that map one-to-one onto Settings, by commander's camelCase name (`--model` is repeatable: see create). */
const SETTING_FLAGS: (keyof Settings)[] = [
  'baseUrl', 'system', 'temperature', 'maxTokens', 'concurrency', 'batchSize', 'targetColumn',
  'timeout', 'maxRetries', 'maxRetryWait', 'rpm', 'tpm', 'maxCost', 'cache', 'usageColumns', 'maxAnswerBytes',
];

/**
 * Settings for a command: defaults, the config file (--config or the nearest .evalrc), EVALCTL_*
 * variables, a --template's front matter, then the flags the user actually typed (commander's
 * defaults do not count).
 */
export async function settingsFrom(command: Command, env: NodeJS.ProcessEnv, cwd: string, template?: Partial<Settings>): Promise<Settings> {
  const options = command.opts();
  const flags: Partial<Settings> = {};
  for (const key of SETTING_FLAGS) {
    if (command.getOptionValueSource(key) === 'cli') (flags as Record<string, unknown>)[key] = options[key];
  }
  try {
    const file = await loadConfigFile(cwd, options.config as string | undefined);
    return resolveSettings({ file, env, template, flags });
  } catch (error) {
    // Flags were checked by commander already, so this is the config file or an EVALCTL_*
    // variable: not a command-line mistake, so exit 1 rather than 2.
    if (error instanceof UsageError) throw new ConfigError(error.message, error.hint, error);
    throw error;
  }
}
