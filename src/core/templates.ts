import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTemplateDefaults, type Settings } from './config.js';
import { InputError, UsageError } from './errors.js';
import { closest, parseTemplate } from './template.js';

/** The prompt templates that ship with evalctl (`templates/` beside `dist/`). */
export const BUILT_IN_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

/**
 * A prompt template file: front matter (YAML between `---` lines) with a description and
 * defaults, then the prompt with `{column}` placeholders.
 * @example
 * ---
 * description: Sentiment of a product review
 * targetColumn: sentiment
 * choices: positive,negative,neutral
 * ---
 * Classify the sentiment of this review: {review}
 */
export interface PromptTemplate {
  name: string;
  path: string;
  description: string;
  /** The prompt: the file after its front matter. */
  prompt: string;
  /** Columns the prompt reads, in order of first use. */
  placeholders: readonly string[];
  /** Settings the template suggests; the command line overrides them. */
  defaults: Partial<Settings>;
  /** Allowed labels for scoring (`--choices`), comma-separated. */
  choices?: string;
}

/** Front-matter keys that are not settings. */
const META_KEYS = ['description', 'choices'];

/** The built-in templates, by name. Sub-folders (such as judge rubrics) are not prompt templates. */
export async function builtInTemplates(dir = BUILT_IN_DIR): Promise<PromptTemplate[]> {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((file) => file.endsWith('.md') && statSync(join(dir, file)).isFile()).sort();
  return Promise.all(files.map((file) => readTemplate(join(dir, file))));
}

/**
 * A template by built-in name (`sentiment`) or by path (`./prompts/mine.md`, any file that
 * exists); an unknown name is a usage error with the closest built-in name.
 */
export async function findTemplate(nameOrPath: string, cwd: string, dir = BUILT_IN_DIR): Promise<PromptTemplate> {
  const path = resolve(cwd, nameOrPath);
  if (existsSync(path) && statSync(path).isFile()) return readTemplate(path);
  const builtIn = join(dir, `${nameOrPath}.md`);
  if (/^[\w-]+$/.test(nameOrPath) && existsSync(builtIn)) return readTemplate(builtIn);
  const names = (await builtInTemplates(dir)).map((t) => t.name);
  const suggestion = closest(nameOrPath, names);
  throw new UsageError(
    `No template "${nameOrPath}": not a file, nor a built-in template.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
    `Built-in templates: ${names.join(', ')} (\`evalctl templates\` describes them).`,
  );
}

/** Reads and checks one template file. */
export async function readTemplate(path: string): Promise<PromptTemplate> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read the template ${path}: ${(error as Error).message}.`, undefined, error);
  }
  const { front, body } = await splitFrontMatter(text, path);
  const name = basename(path, extname(path));
  const meta = front as Record<string, unknown>;
  const settings = Object.fromEntries(Object.entries(meta).filter(([key]) => !META_KEYS.includes(key)));
  const choices = meta.choices === undefined ? undefined : Array.isArray(meta.choices) ? meta.choices.join(',') : String(meta.choices);
  const prompt = body.trim();
  return {
    name,
    path,
    description: typeof meta.description === 'string' ? meta.description : '',
    prompt,
    placeholders: parseTemplate(prompt, `template ${path}`).columns,
    defaults: checkTemplateDefaults(path, settings),
    ...(choices ? { choices } : {}),
  };
}

async function splitFrontMatter(text: string, path: string): Promise<{ front: object; body: string }> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) return { front: {}, body: text };
  let front: unknown;
  try {
    // js-yaml, as cosmiconfig loads it for .yaml config files: no second YAML parser.
    const { defaultLoaders } = await import('cosmiconfig');
    front = defaultLoaders['.yaml'](path, match[1]);
  } catch (error) {
    throw new UsageError(`The front matter of ${path} is not valid YAML (${(error as Error).message.split('\n')[0]}).`);
  }
  if (front !== null && front !== undefined && (typeof front !== 'object' || Array.isArray(front))) {
    throw new UsageError(`The front matter of ${path} must be "key: value" lines.`);
  }
  return { front: front ?? {}, body: match[2] };
}
