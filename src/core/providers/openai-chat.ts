import { exchange, targetOf, type Agents, type Target } from './http-exchange.js';
import { loadOpenAI, type OpenAIConfig } from './openai-sdk.js';
import { LiteHeaders } from './transport.js';
import type { CallOptions } from './types.js';

/**
 * `POST /chat/completions` sent straight over evalctl's transport, for the hot path of a run.
 * Through the SDK each call also builds its headers twice, formats log details even with
 * logging off, wraps the body in web objects and links two more abort signals: about a fifth
 * of the CPU of a request to a fast server (bench/README.md). What the SDK gives evalctl is
 * kept: the key, base URL, organization and project are resolved as its client resolves them
 * (`openaiConfig`), and every failure is the SDK's own error class, built by the SDK
 * (`APIError.generate`; the SDK is loaded then), so `classifySdkError` treats both paths
 * alike. The answer is what the SDK would return: the parsed JSON, or the text of a body that
 * is not JSON.
 */
export class DirectChat {
  private readonly target: Target;
  private readonly headers: string[];

  constructor(config: OpenAIConfig, private readonly agents: Agents) {
    const target = targetOf(new URL(`${config.baseURL.replace(/\/+$/, '')}/chat/completions`));
    if (!target) throw new TypeError(`unsupported protocol in ${config.baseURL}`);
    this.target = target;
    this.headers = ['content-type', 'application/json', 'accept', 'application/json', 'user-agent', 'evalctl'];
    if (config.apiKey) this.headers.push('authorization', `Bearer ${config.apiKey}`);
    if (config.organization) this.headers.push('openai-organization', config.organization);
    if (config.project) this.headers.push('openai-project', config.project);
  }

  async create(body: object, options: CallOptions): Promise<unknown> {
    const { signal } = options;
    if (signal.aborted) throw new (await loadOpenAI()).APIUserAbortError();
    let response;
    try {
      response = await exchange(this.agents, this.target, { method: 'POST', headers: this.headers, body: JSON.stringify(body), signal, timeoutMs: options.timeoutMs });
    } catch (error) {
      const OpenAI = await loadOpenAI();
      if (signal.aborted) throw new OpenAI.APIUserAbortError();
      if (error instanceof Error && error.name === 'TimeoutError') throw new OpenAI.APIConnectionTimeoutError();
      throw new OpenAI.APIConnectionError({ cause: error as Error });
    }
    const text = () => response.body.toString('utf8');
    if (response.status < 200 || response.status >= 300) {
      const errorText = text();
      const json = safeJson(errorText);
      throw (await loadOpenAI()).APIError.generate(response.status, json, json ? undefined : errorText, new LiteHeaders(response.rawHeaders) as unknown as Headers);
    }
    if (response.status === 204) return null;
    // Read from the raw list: a Headers object per answer is garbage the hot path can skip.
    const mediaType = rawHeader(response.rawHeaders, 'content-type')?.split(';')[0]?.trim();
    if (mediaType?.includes('application/json') || mediaType?.endsWith('+json')) {
      if (rawHeader(response.rawHeaders, 'content-length') === '0') return undefined;
      return JSON.parse(text());
    }
    return text();
  }
}

/** A header's value from node's raw list (name, value, ...): the first, names compared without case. */
function rawHeader(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i].length === name.length && raw[i].toLowerCase() === name) return raw[i + 1];
  return undefined;
}

function safeJson(text: string): object | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
