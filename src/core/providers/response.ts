import type { FailureKind } from './types.js';

/**
 * A 200 with nothing usable in it: no choices, null content, a body that is not the API's JSON
 * (an HTML login page from a proxy), or a refusal by the provider's content filter. A row
 * failure of its own kind, never an answer and never cached.
 */
export class ResponseError extends Error {
  constructor(readonly kind: Extract<FailureKind, 'bad-response' | 'refusal'>, message: string) {
    super(message);
    this.name = 'ResponseError';
  }
}

/** What a body that is not the expected JSON looks like, in a few words. */
export function describeBody(body: unknown): string {
  if (typeof body === 'string') {
    const text = body.trim();
    if (/^<(!doctype|html)/i.test(text)) return `an HTML page${/<title>([^<]{1,80})<\/title>/i.exec(text)?.[1] ? ` ("${/<title>([^<]{1,80})<\/title>/i.exec(text)![1].trim()}")` : ''}`;
    return text === '' ? 'an empty body' : `text that is not JSON ("${text.slice(0, 60).replace(/\s+/g, ' ')}${text.length > 60 ? '…' : ''}")`;
  }
  if (body === null || typeof body !== 'object') return `${JSON.stringify(body) ?? 'nothing'}`;
  return `JSON without the expected fields (keys: ${Object.keys(body).slice(0, 8).join(', ') || 'none'})`;
}

/** Masks the API key where a server echoed it into an answer: it must not reach the log, cache or output. */
export function withoutKey(text: string, apiKey: string): string {
  return apiKey.length >= 6 && text.includes(apiKey) ? text.split(apiKey).join('***') : text;
}

/** The SDK's promise, with a 200 whose JSON body does not parse turned into a bad response. */
export async function asResponse<T>(request: PromiseLike<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof SyntaxError) throw new ResponseError('bad-response', `the answer is not valid JSON (${error.message.split('\n')[0]})`);
    throw error;
  }
}
