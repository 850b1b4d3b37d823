import OpenAI from 'openai';
import { exchange, targetOf, type Agents, type Target } from './http-exchange.js';
import { LiteHeaders } from './transport.js';
import type { CallOptions } from './types.js';

/**
 * `POST /chat/completions` sent straight over evalctl's transport, for the hot path of a run.
 * Through the SDK each call also builds its headers twice, formats log details even with
 * logging off, wraps the body in web objects and links two more abort signals: about a fifth
 * of the CPU of a request to a fast server (bench/README.md). What the SDK gives evalctl is
 * kept: its client resolves the key, base URL, organization and project (options or
 * `OPENAI_*`), and every failure is the SDK's own error class, built by the SDK
 * (`APIError.generate`), so `classifySdkError` treats both paths alike. The answer is what
 * the SDK would return: the parsed JSON, or the text of a body that is not JSON.
 */
export class DirectChat {
  private readonly target: Target;
  private readonly headers: string[];

  constructor(client: OpenAI, private readonly agents: Agents) {
    const target = targetOf(new URL(`${client.baseURL.replace(/\/+$/, '')}/chat/completions`));
    if (!target) throw new TypeError(`unsupported protocol in ${client.baseURL}`);
    this.target = target;
    this.headers = ['content-type', 'application/json', 'accept', 'application/json', 'user-agent', 'evalctl'];
    if (client.apiKey) this.headers.push('authorization', `Bearer ${client.apiKey}`);
    if (client.organization) this.headers.push('openai-organization', client.organization);
    if (client.project) this.headers.push('openai-project', client.project);
  }

  async create(body: object, options: CallOptions): Promise<unknown> {
    const { signal } = options;
    if (signal.aborted) throw new OpenAI.APIUserAbortError();
    let response;
    try {
      response = await exchange(this.agents, this.target, { method: 'POST', headers: this.headers, body: JSON.stringify(body), signal, timeoutMs: options.timeoutMs });
    } catch (error) {
      if (signal.aborted) throw new OpenAI.APIUserAbortError();
      if (error instanceof Error && error.name === 'TimeoutError') throw new OpenAI.APIConnectionTimeoutError();
      throw new OpenAI.APIConnectionError({ cause: error as Error });
    }
    const headers = new LiteHeaders(response.rawHeaders);
    const text = () => response.body.toString('utf8');
    if (response.status < 200 || response.status >= 300) {
      const errorText = text();
      const json = safeJson(errorText);
      throw OpenAI.APIError.generate(response.status, json, json ? undefined : errorText, headers as unknown as Headers);
    }
    if (response.status === 204) return null;
    const mediaType = headers.get('content-type')?.split(';')[0]?.trim();
    if (mediaType?.includes('application/json') || mediaType?.endsWith('+json')) {
      if (headers.get('content-length') === '0') return undefined;
      return JSON.parse(text());
    }
    return text();
  }
}

function safeJson(text: string): object | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
