import { ProviderError, UsageError } from './errors.js';
import type { Provider, ProviderId } from './providers/types.js';
import { credentialParameters, KEY_VARIABLES, looksLikeKey, maskURL, maskURLText, redactSecrets } from './redact.js';

export { redactSecrets };

/** Which provider serves a model, and where. */
export interface ModelChoice {
  readonly provider: ProviderId;
  readonly model: string;
  /** Set only for a non-default endpoint (flag, config or *_BASE_URL). */
  readonly baseURL?: string;
}

const OPENAI_MODELS = /^(gpt-|chatgpt-|o\d|text-embedding-|dall-e-|davinci|babbage)/;

/**
 * Routes a model id: `echo` is the offline model; `openai:<id>` and `anthropic:<id>` name the
 * provider; `claude-*` goes to Anthropic; `gpt-*`, `o1`/`o3`/`o4-*` and `text-embedding-*` to
 * OpenAI; any other id needs an OpenAI-compatible `--base-url` (Ollama, vLLM, LM Studio).
 */
export function resolveModel(spec: string, baseURL: string | undefined, env: NodeJS.ProcessEnv): ModelChoice {
  const trimmed = spec.trim();
  if (trimmed === '') throw new UsageError('--model is empty.', 'Name a model such as gpt-4o-mini, claude-haiku-4-5 or echo.');
  if (trimmed === 'echo') return { provider: 'echo', model: 'echo' };
  const explicit = /^(openai|anthropic):(.+)$/.exec(trimmed);
  const provider: ProviderId | undefined = explicit
    ? (explicit[1] as ProviderId)
    : trimmed.startsWith('claude-') ? 'anthropic'
    : OPENAI_MODELS.test(trimmed) ? 'openai'
    : undefined;
  const model = explicit ? explicit[2] : trimmed;
  if (looksLikeKey(model) || Object.values(KEY_VARIABLES).some((variable) => env[variable]?.trim() === model)) {
    // The model is stored with the job and shown by `status` and `list`: never a key.
    throw new UsageError('--model looks like an API key, and evalctl stores the model name with the job.', 'Put the key in OPENAI_API_KEY or ANTHROPIC_API_KEY, and give a model name such as gpt-4o-mini to --model.');
  }
  const endpoint = checkURL(baseURL ?? (provider === 'anthropic' ? env.ANTHROPIC_BASE_URL : env.OPENAI_BASE_URL) ?? undefined);
  if (provider) return { provider, model, ...(endpoint ? { baseURL: endpoint } : {}) };
  if (endpoint) return { provider: 'openai', model, baseURL: endpoint };
  throw new UsageError(
    `Unknown model "${trimmed}": cannot tell which provider serves it.`,
    'Use gpt-*/o*-* (OpenAI), claude-* (Anthropic), openai:<id> with --base-url for an OpenAI-compatible server, or echo to try offline.',
  );
}

function checkURL(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`Base URL "${maskURLText(value)}" is not a valid URL.`, 'Give a full URL such as http://localhost:11434/v1.');
  }
  // The base URL is kept in the job record; a key inside it would be stored in plain text.
  if (url.username || url.password) {
    throw new UsageError('The base URL has credentials in it, and evalctl stores the base URL with the job.', 'Put the key in OPENAI_API_KEY or ANTHROPIC_API_KEY and give the URL without user:password@.');
  }
  const parameters = credentialParameters(url);
  if (parameters.length > 0) {
    throw new UsageError(
      `The base URL ${maskURL(url)} has credentials in its query string (${parameters.join(', ')}), and evalctl stores the base URL with the job.`,
      'Put the key in OPENAI_API_KEY or ANTHROPIC_API_KEY and give the URL without it.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Base URL "${maskURLText(value)}" must start with http:// or https://.`, 'For Ollama: --base-url http://localhost:11434/v1');
  }
  return value.replace(/\/+$/, '');
}

/** True for loopback endpoints, which need no API key. */
export function isLocalURL(value: string | undefined): boolean {
  if (!value) return false;
  const host = new URL(value).hostname;
  return host === 'localhost' || host === '0.0.0.0' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The API key for a choice, or a clear error before anything runs. Local endpoints need none. */
export function apiKeyFor(choice: ModelChoice, env: NodeJS.ProcessEnv): string {
  if (choice.provider === 'echo') return '';
  const variable = KEY_VARIABLES[choice.provider];
  const key = env[variable]?.trim();
  if (key) return key;
  if (isLocalURL(choice.baseURL)) return 'not-needed';
  throw new ProviderError(`${variable} is not set, so ${choice.model} cannot be called.`, {
    hint: `Export ${variable}=..., point --base-url at a local server, or try the tool offline with --model echo.`,
  });
}

/** Builds the provider, loading its SDK only now (keeps `--help` fast). */
export async function createProvider(choice: ModelChoice, env: NodeJS.ProcessEnv): Promise<Provider> {
  const apiKey = apiKeyFor(choice, env);
  switch (choice.provider) {
    case 'echo': {
      const { EchoProvider } = await import('./providers/echo.js');
      return new EchoProvider();
    }
    case 'openai': {
      const { OpenAIProvider } = await import('./providers/openai.js');
      return new OpenAIProvider(choice.model, { apiKey, baseURL: choice.baseURL });
    }
    case 'anthropic': {
      const { AnthropicProvider } = await import('./providers/anthropic.js');
      return new AnthropicProvider(choice.model, { apiKey, baseURL: choice.baseURL });
    }
  }
}
