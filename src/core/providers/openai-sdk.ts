import type OpenAI from 'openai';

/**
 * The openai package, loaded on first need: a run whose chat completions all go directly
 * (DirectChat) and succeed never compiles the SDK (60-170 ms of start-up on this project's
 * machine). Errors, embeddings and the SDK's own path load it.
 */
let loaded: typeof OpenAI | undefined;
let loading: Promise<typeof OpenAI> | undefined;

export function loadOpenAI(): Promise<typeof OpenAI> {
  loading ??= import('openai').then((module) => (loaded = module.default));
  return loading;
}

/** The SDK if it is loaded; an error can only be one of its classes if it is. */
export function loadedOpenAI(): typeof OpenAI | undefined {
  return loaded;
}

/** Where requests go and as whom, resolved as the SDK's client does (options, then `OPENAI_*`). */
export interface OpenAIConfig {
  readonly apiKey: string;
  readonly baseURL: string;
  readonly organization: string | null;
  readonly project: string | null;
  /** `OPENAI_LOG`: the SDK's own request logs were asked for. */
  readonly logLevel: string | undefined;
}

export function openaiConfig(options: { apiKey: string; baseURL?: string }, env: NodeJS.ProcessEnv = process.env): OpenAIConfig {
  const read = (name: string) => env[name]?.trim() || undefined;
  return {
    apiKey: options.apiKey,
    baseURL: options.baseURL || read('OPENAI_BASE_URL') || 'https://api.openai.com/v1',
    organization: read('OPENAI_ORG_ID') ?? null,
    project: read('OPENAI_PROJECT_ID') ?? null,
    logLevel: read('OPENAI_LOG'),
  };
}
