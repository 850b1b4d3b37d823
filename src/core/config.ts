import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { closest } from './template.js';
import type { Price } from './pricing.js';

/** Settings that can come from defaults, a config file, EVALCTL_* variables and flags. */
export interface Settings {
  /** Model id; see `resolveModel`. @default "gpt-4o-mini" */
  model: string;
  /** OpenAI-compatible or Anthropic endpoint. Defaults to OPENAI_BASE_URL / ANTHROPIC_BASE_URL. */
  baseUrl?: string;
  /** System prompt sent with every row. */
  system?: string;
  /** Sampling temperature. @default 0 (deterministic, and cacheable) */
  temperature: number;
  /** Cap on completion tokens per row. */
  maxTokens?: number;
  /** Requests in flight at most. @default 8 */
  concurrency: number;
  /** Rows per request where an endpoint takes several (embeddings); chat models take one a request. @default 10 */
  batchSize: number;
  /** Name of the prediction column. @default "prediction" */
  targetColumn: string;
  /** Seconds one request may take before it is retried. @default 120 */
  timeout: number;
  /** Retries per row for 5xx, timeouts and dropped connections; rate limits (429) get three times as many. @default 6 */
  maxRetries: number;
  /** Longest single wait before a retry, in seconds, whatever retry-after says. @default 60 */
  maxRetryWait: number;
  /** Requests per minute at most (paces before the provider has to refuse). */
  rpm?: number;
  /** Tokens per minute at most (estimated before sending). */
  tpm?: number;
  /** Stop scheduling before the spend would pass this many USD. */
  maxCost?: number;
  /** Answer repeated prompts from the on-disk cache (temperature 0 only). @default true */
  cache: boolean;
  /** Refuse (as a row failure) an answer larger than this many bytes (UTF-8). Unlimited by default. */
  maxAnswerBytes?: number;
  /** Also write `<target>_prompt_tokens` and `<target>_completion_tokens`. @default false */
  usageColumns: boolean;
  /** Per-model price overrides, USD per million tokens. */
  pricing: Record<string, Price>;
  /** Structured output: a JSON Schema file, inline JSON, or the compact form `label: a|b|c, score: number`. */
  schema?: string;
  /** Named variants (config file only); `--model`/`--prompt` on the command line replace them. */
  variants?: VariantSetting[];
  /** Named evaluators (config file only), reused as `--evaluator <name>`; code paths are relative to the config file. */
  evaluators?: Record<string, string>;
  /**
   * Short names for models (config file only), with an endpoint after `@` when they need one.
   * @example { "fast": "openai:llama3.1@http://localhost:11434/v1", "smart": "claude-sonnet-4-5" }
   */
  aliases?: Record<string, string>;
}

/**
 * What a model name stands for: an alias's model and endpoint, or the name itself.
 * @example expandAlias('fast', { fast: 'openai:llama3.1@http://localhost:11434/v1' }) // { model: 'openai:llama3.1', baseUrl: 'http://localhost:11434/v1' }
 */
export function expandAlias(name: string, aliases: Record<string, string> | undefined): { model: string; baseUrl?: string } {
  const target = aliases?.[name];
  if (target === undefined) return { model: name };
  const at = /^(.*?)@(https?:\/\/.+)$/.exec(target);
  return at ? { model: at[1], baseUrl: at[2] } : { model: target };
}

/**
 * One variant as a config file names it; what it leaves out comes from the top-level settings.
 * @example { "name": "mini", "model": "gpt-4o-mini", "promptFile": "prompts/v2.txt" }
 */
export interface VariantSetting {
  name?: string;
  model?: string;
  prompt?: string;
  promptFile?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  baseUrl?: string;
}

const VARIANT_KEYS: Record<keyof VariantSetting, Kind> = {
  name: 'string', model: 'string', prompt: 'string', promptFile: 'string', system: 'string',
  temperature: 'temperature', maxTokens: 'positive-int', baseUrl: 'string',
};

export const DEFAULTS: Settings = {
  model: 'gpt-4o-mini',
  temperature: 0,
  concurrency: 8,
  batchSize: 10,
  targetColumn: 'prediction',
  timeout: 120,
  maxRetries: 6,
  maxRetryWait: 60,
  cache: true,
  usageColumns: false,
  pricing: {},
};

export type Kind = 'string' | 'number' | 'positive-int' | 'non-negative-int' | 'positive' | 'boolean' | 'temperature';

const SCHEMA: Record<Exclude<keyof Settings, 'pricing' | 'variants' | 'evaluators' | 'aliases'>, Kind> = {
  model: 'string',
  baseUrl: 'string',
  system: 'string',
  temperature: 'temperature',
  maxTokens: 'positive-int',
  concurrency: 'positive-int',
  batchSize: 'positive-int',
  targetColumn: 'string',
  timeout: 'positive',
  maxRetries: 'non-negative-int',
  maxRetryWait: 'positive',
  rpm: 'positive',
  tpm: 'positive',
  maxCost: 'positive',
  cache: 'boolean',
  usageColumns: 'boolean',
  maxAnswerBytes: 'positive-int',
  schema: 'string',
};

/** `maxRetryWait` -> `EVALCTL_MAX_RETRY_WAIT` */
export function envName(key: string): string {
  return `EVALCTL_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** The setting names a config file takes, with the kind of value each holds. */
export function settingKinds(): Record<string, Kind> {
  return { ...SCHEMA };
}

/**
 * Resolves settings once: defaults, then the config file, then EVALCTL_* variables, then flags.
 * Every layer is checked, and a bad value names its origin (file and key, variable, or flag).
 */
export function resolveSettings(layers: {
  file?: { path: string; values: unknown };
  env?: NodeJS.ProcessEnv;
  /** A prompt template's front-matter defaults (`--template`), checked by `checkTemplateDefaults`. */
  template?: Partial<Settings>;
  flags?: Partial<Settings>;
}): Settings {
  const settings: Settings = { ...DEFAULTS, pricing: {} };
  if (layers.file) Object.assign(settings, checkFileValues(layers.file.path, layers.file.values));
  for (const key of Object.keys(SCHEMA) as (keyof typeof SCHEMA)[]) {
    const raw = layers.env?.[envName(key)];
    if (raw !== undefined && raw !== '') (settings as unknown as Record<string, unknown>)[key] = parseValue(raw, SCHEMA[key], `${envName(key)}`);
  }
  // A template is chosen on the command line for this run: it outranks the standing config
  // (file and environment), and the flags typed beside it outrank it.
  Object.assign(settings, layers.template ?? {});
  for (const [key, value] of Object.entries(layers.flags ?? {})) {
    if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = value;
  }
  return settings;
}

/** A template's front-matter settings: the keys of a config file but pricing, variants and evaluators. */
export function checkTemplateDefaults(path: string, values: Record<string, unknown>): Partial<Settings> {
  const local = Object.keys(values).find((key) => ['pricing', 'variants', 'evaluators', 'aliases'].includes(key));
  if (local) throw new UsageError(`The front matter of ${path} has "${local}", which only a config file can set.`);
  return checkFileValues(path, values);
}

function checkFileValues(path: string, values: unknown): Partial<Settings> {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new UsageError(`Config file ${path} must hold an object of settings.`, 'See .evalrc.example.json.');
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === '$schema' || key === 'comment') continue;
    if (key === 'pricing') { out.pricing = checkPricing(path, value); continue; }
    if (key === 'variants') { out.variants = checkVariants(path, value); continue; }
    if (key === 'evaluators') { out.evaluators = checkEvaluators(path, value); continue; }
    if (key === 'aliases') { out.aliases = checkAliases(path, value); continue; }
    const kind = SCHEMA[key as keyof typeof SCHEMA];
    if (!kind) {
      const known = [...Object.keys(SCHEMA), 'pricing', 'variants', 'evaluators', 'aliases'];
      const suggestion = closest(key, known);
      throw new UsageError(`Config file ${path} has an unknown setting "${key}".${suggestion ? ` Did you mean "${suggestion}"?` : ''}`, `Known settings: ${known.join(', ')}.`);
    }
    out[key] = checkValue(value, kind, `"${key}" in ${path}`);
  }
  return out as Partial<Settings>;
}

function checkVariants(path: string, value: unknown): VariantSetting[] {
  if (!Array.isArray(value) || value.length === 0) throw new UsageError(`"variants" in ${path} must be a non-empty list of {"name", "model", "prompt" or "promptFile", ...}.`);
  return value.map((variant, i) => {
    const where = `variant ${i + 1} of "variants" in ${path}`;
    if (variant === null || typeof variant !== 'object' || Array.isArray(variant)) throw new UsageError(`${where} must be an object such as {"name": "mini", "model": "gpt-4o-mini"}.`);
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(variant)) {
      const kind = VARIANT_KEYS[key as keyof VariantSetting];
      if (!kind) {
        const suggestion = closest(key, Object.keys(VARIANT_KEYS));
        throw new UsageError(`${where} has an unknown key "${key}".${suggestion ? ` Did you mean "${suggestion}"?` : ''}`, `Known keys: ${Object.keys(VARIANT_KEYS).join(', ')}.`);
      }
      out[key] = checkValue(field, kind, `"${key}" of ${where}`);
    }
    // A prompt file named in a config file is found beside it, wherever evalctl runs.
    if (typeof out.promptFile === 'string') out.promptFile = resolve(dirname(path), out.promptFile);
    if (out.prompt !== undefined && out.promptFile !== undefined) throw new UsageError(`${where} has both "prompt" and "promptFile"; give one.`);
    return out as VariantSetting;
  });
}

/** `{"is_label": "regex:^(yes|no)$", "mine": "./check.mjs"}`: a code evaluator's path is found beside the config file. */
function checkEvaluators(path: string, value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new UsageError(`"evaluators" in ${path} must map names to evaluator specs, e.g. {"is_label": "regex:^(yes|no)$", "mine": "./check.mjs"}.`);
  }
  return Object.fromEntries(Object.entries(value as Record<string, string>).map(([name, spec]) => [name, /^\.\.?[\\/]/.test(spec) ? resolve(dirname(path), spec) : spec]));
}

/** `{"fast": "openai:llama3.1@http://localhost:11434/v1"}`: names to a model, with an optional endpoint. */
function checkAliases(path: string, value: unknown): Record<string, string> {
  const example = '{"fast": "openai:llama3.1@http://localhost:11434/v1", "smart": "claude-sonnet-4-5"}';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`"aliases" in ${path} must map names to models, e.g. ${example}.`);
  for (const [name, target] of Object.entries(value)) {
    if (typeof target !== 'string' || target.trim() === '' || target.startsWith('@')) throw new UsageError(`Alias "${name}" in ${path} must be a model id, optionally with @<base URL>, not ${JSON.stringify(target)}.`, `For example ${example}.`);
  }
  return value as Record<string, string>;
}

function checkPricing(path: string, value: unknown): Record<string, Price> {
  const where = `"pricing" in ${path}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${where} must map model ids to { "input": usd, "output": usd }.`);
  const out: Record<string, Price> = {};
  for (const [model, price] of Object.entries(value)) {
    const p = price as Record<string, unknown>;
    const valid = p && typeof p.input === 'number' && typeof p.output === 'number' && p.input >= 0 && p.output >= 0 &&
      (p.creditsPerToken === undefined || (typeof p.creditsPerToken === 'number' && p.creditsPerToken >= 0)) &&
      (p.batch === undefined || isRate(p.batch));
    if (!valid) throw new UsageError(`${where}: "${model}" needs non-negative numbers "input" and "output" (USD per million tokens), and optionally "creditsPerToken" and "batch": {"input", "output"}.`);
    out[model] = {
      input: p.input as number, output: p.output as number,
      ...(p.creditsPerToken !== undefined ? { creditsPerToken: p.creditsPerToken as number } : {}),
      ...(p.batch !== undefined ? { batch: { input: (p.batch as Record<string, number>).input, output: (p.batch as Record<string, number>).output } } : {}),
    };
  }
  return out;
}

/** `{input, output}`, non-negative USD per million tokens: the batch price of a model. */
function isRate(value: unknown): boolean {
  const rate = value as Record<string, unknown> | null;
  return rate !== null && typeof rate === 'object' && typeof rate.input === 'number' && typeof rate.output === 'number' && rate.input >= 0 && rate.output >= 0;
}

function checkValue(value: unknown, kind: Kind, where: string): unknown {
  if (kind === 'string') {
    if (typeof value !== 'string') throw new UsageError(`${where} must be a string, not ${JSON.stringify(value)}.`);
    return value;
  }
  if (kind === 'boolean') {
    if (typeof value !== 'boolean') throw new UsageError(`${where} must be true or false, not ${JSON.stringify(value)}.`);
    return value;
  }
  if (typeof value !== 'number') throw new UsageError(`${where} must be a number, not ${JSON.stringify(value)}.`);
  return checkNumber(value, kind, where);
}

/** Parses text (an env var or flag) as a value of `kind`. */
export function parseValue(raw: string, kind: Kind, where: string): unknown {
  if (kind === 'string') return raw;
  if (kind === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new UsageError(`${where} must be true or false, not "${raw}".`);
  }
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${where} must be a number, not "${raw}".`);
  return checkNumber(value, kind, where);
}

function checkNumber(value: number, kind: Kind, where: string): number {
  if (!Number.isFinite(value)) throw new UsageError(`${where} must be a finite number, not ${value}.`);
  if (kind === 'temperature' && !(value >= 0 && value <= 2)) throw new UsageError(`${where} must be a number from 0 to 2, not ${value}.`);
  if (kind === 'positive-int' && !(Number.isInteger(value) && value >= 1)) throw new UsageError(`${where} must be a whole number of at least 1, not ${value}.`);
  if (kind === 'non-negative-int' && !(Number.isInteger(value) && value >= 0)) throw new UsageError(`${where} must be a whole number of at least 0, not ${value}.`);
  if (kind === 'positive' && !(value > 0)) throw new UsageError(`${where} must be greater than 0, not ${value}.`);
  return value;
}
