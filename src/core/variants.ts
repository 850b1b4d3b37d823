import { resolve } from 'node:path';
import { expandAlias, type Settings, type VariantSetting } from './config.js';
import { InputError, UsageError } from './errors.js';
import { apiKeyFor, resolveModel } from './models.js';
import { priceFor, type Price } from './pricing.js';
import { readPromptFile as readTemplateFile } from './prompt-file.js';
import { variantSlug, type VariantSpec } from './spec.js';
import { parseTemplate } from './template.js';
import { checkFieldNames } from './structured/columns.js';
import { resolveSchema } from './structured/schema.js';
import { resolveOutput, type OutputType } from './embeddings/spec.js';

/** The variant part of `evalctl create`: repeatable flags, and the config file's named variants. */
export interface VariantRequest {
  /** `--model`, repeatable. */
  readonly models?: readonly string[];
  /** `--prompt`, repeatable. */
  readonly prompts?: readonly string[];
  /** `--prompt-file`, repeatable. */
  readonly promptFiles?: readonly string[];
  readonly settings: Settings;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Whether an API key must be at hand (not for a dry run, which sends nothing). */
  readonly needKeys: boolean;
  /** `--schema` (else the config's `schema`): structured output, for every variant. */
  readonly schema?: string;
  /** `--structured`: with `--choices`, ask for a one-field enum. */
  readonly structured?: boolean;
  /** `--choices` (scoring's labels). */
  readonly choices?: string;
  /** `--output-type`: `embeddings` writes a vector per row, `image` generates an image per row. */
  readonly outputType?: OutputType;
  /** `--dimensions`: vector length, for embedding models that can shorten theirs. */
  readonly dimensions?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * The job's variants: every combination of the `--model` and `--prompt`/`--prompt-file`
 * flags, or else the config file's `variants` (each falling back to the top-level settings),
 * or else the one model and prompt of the settings. Each is checked as `create` always was:
 * the template parses, the model routes to a provider, the key is there, a budget has a price.
 */
export function resolveVariants(request: VariantRequest): VariantSpec[] {
  const { settings } = request;
  const prompts = promptFlags(request);
  const fromFlags = (request.models?.length ?? 0) > 0 || prompts.length > 0 || !settings.variants?.length;
  const inputs: (VariantSetting & { label: string })[] = fromFlags
    ? crossProduct(request.models?.length ? request.models : [settings.model], prompts)
    : settings.variants!.map((v, i) => ({ ...v, prompt: v.prompt ?? prompts[0]?.text, label: `variant ${v.name ?? i + 1} in the config file` }));
  const schema = resolveSchema({ schema: request.schema ?? settings.schema, structured: request.structured, choices: request.choices, cwd: request.cwd });
  if (schema) checkFieldNames(schema);
  const variants = inputs.map((input) => ({ ...checkVariant(withAlias(input, settings), request), ...(schema ? { schema } : {}) }));
  const seen = new Set<string>();
  for (const variant of variants) {
    if (seen.has(variant.name)) {
      throw new UsageError(`Two variants are both named "${variant.name}".`, fromFlags ? 'Give each --model once, or name variants in the config file ("variants": [{"name": ...}]).' : 'Give each variant in the config file its own "name".');
    }
    seen.add(variant.name);
  }
  return variants;
}

/** A variant whose model is an alias (`"aliases"` in the config file) gets its model and endpoint; a variant's own baseUrl wins. */
function withAlias<T extends VariantSetting>(input: T, settings: Settings): T {
  const { model, baseUrl } = expandAlias(input.model ?? settings.model, settings.aliases);
  return { ...input, model, baseUrl: input.baseUrl ?? baseUrl };
}

function promptFlags(request: VariantRequest): { text: string; label: string }[] {
  const inline = (request.prompts ?? []).map((text) => ({ text, label: '--prompt' }));
  const files = (request.promptFiles ?? []).map((file) => ({ text: readPromptFile(request.cwd, file), label: file }));
  return [...inline, ...files];
}

/** Every model with every prompt; names say which model and which prompt (`p1`, `p2`) where there are several. */
function crossProduct(models: readonly string[], prompts: { text: string; label: string }[]): (VariantSetting & { label: string })[] {
  const promptList = prompts.length ? prompts : [undefined];
  return models.flatMap((model) => promptList.map((prompt, j) => {
    const parts = [models.length > 1 || promptList.length === 1 ? variantSlug(model) : '', promptList.length > 1 ? `p${j + 1}` : ''].filter(Boolean);
    return { name: parts.join('_'), model, prompt: prompt?.text, label: prompt?.label ?? '--prompt' };
  }));
}

function checkVariant(input: VariantSetting & { label: string }, request: VariantRequest): VariantSpec {
  const { settings, env } = request;
  if (input.prompt === undefined && input.promptFile !== undefined) input = { ...input, prompt: readPromptFile(request.cwd, input.promptFile) };
  if (input.prompt === undefined) {
    throw new UsageError('No prompt given: pass --prompt or --prompt-file.', 'For example --prompt "Classify: {review}", with a {column} placeholder per column to fill in.');
  }
  parseTemplate(input.prompt, input.promptFile ?? input.label);
  const choice = resolveModel(input.model ?? settings.model, input.baseUrl ?? settings.baseUrl, env);
  const output = resolveOutput(choice, request.outputType, request.dimensions);
  if (request.needKeys) apiKeyFor(choice, env);
  if (settings.maxCost !== undefined && !priceFor(choice.model, settings.pricing)) {
    throw new UsageError(
      `--max-cost needs a price for ${choice.model}, and evalctl does not know one.`,
      `Add it under "pricing" in .evalrc, e.g. {"pricing": {"${choice.model}": {"input": 0.5, "output": 1.5}}} (USD per million tokens).`,
    );
  }
  const name = input.name ?? variantSlug(choice.model);
  if (!NAME.test(name)) {
    throw new UsageError(`Variant name "${name}" cannot be used in a column name.`, 'Use letters, digits, "_", "." or "-" (at most 64).');
  }
  return {
    name,
    model: choice.model,
    provider: choice.provider,
    base_url: choice.baseURL ?? null,
    prompt: input.prompt,
    system: input.system ?? settings.system ?? null,
    temperature: input.temperature ?? settings.temperature,
    max_tokens: input.maxTokens ?? settings.maxTokens ?? null,
    price: priceOverride(choice.model, settings.pricing),
    ...(output.output_type === 'embeddings' ? output : output.output_type === 'image' ? { output_type: 'image' as const } : {}),
  };
}

function readPromptFile(cwd: string, file: string): string {
  const path = resolve(cwd, file);
  try {
    return readTemplateFile(path, file).replace(/\r?\n$/, '');
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'unknown error'})`;
    throw new InputError(`The prompt file ${file} (--prompt-file) ${why}.`, 'Check the path; it is relative to the current directory.', error);
  }
}

/** A config price for the model (matched like the built-in table), kept in the job for resume. */
function priceOverride(model: string, pricing: Record<string, Price>): Price | null {
  const price = priceFor(model, pricing);
  return price !== undefined && price !== priceFor(model) ? price : null;
}
