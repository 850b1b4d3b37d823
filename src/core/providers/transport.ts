import http from 'node:http';
import https from 'node:https';

/**
 * A lean `fetch` for the SDKs' `fetch` option: node:http(s) over keep-alive agents, buffering
 * the (small, JSON) response body and handing back a minimal Response. Global fetch (undici)
 * builds web streams, Request and Headers objects for every call; on a fast endpoint that work,
 * and the garbage it leaves, cost more CPU than evalctl itself (see bench/README.md).
 *
 * Contract with the SDKs: request headers arrive as a Headers (or record), the body as a string;
 * an abort rejects with an `AbortError` (the SDKs turn it into a timeout or user abort); a
 * failed connection rejects with the socket error, which the SDKs wrap as APIConnectionError
 * with `cause` (e.g. ECONNREFUSED). Streaming responses are not supported (evalctl never
 * streams); the body is read whole.
 */
export function createTransport(): typeof fetch {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' }),
  };
  const transport = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: init.method ?? 'GET',
        headers: plainHeaders(init.headers),
        agent,
      });
      const onAbort = () => request.destroy(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      request.on('error', (error) => { settle(); reject(error); });
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => { settle(); reject(error); });
        response.on('end', () => {
          settle();
          if (!response.complete) { reject(Object.assign(new Error('connection closed before the response ended'), { code: 'ECONNRESET' })); return; }
          resolve(new BufferedResponse(response.statusCode ?? 0, response.statusMessage ?? '', new LiteHeaders(response.headers), url.href, Buffer.concat(chunks)) as unknown as Response);
        });
      });
      request.end(typeof init.body === 'string' || init.body instanceof Uint8Array ? init.body : undefined);
    });
  };
  return transport as typeof fetch;
}

function abortError(): Error {
  return new DOMException('The operation was aborted.', 'AbortError');
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (Array.isArray(headers)) for (const [key, value] of headers) out[key] = value;
  else if (typeof (headers as Headers).forEach === 'function') (headers as Headers).forEach((value, key) => { out[key] = value; });
  else Object.assign(out, headers);
  return out;
}

/** The read-only part of Headers that the SDKs use, over node's already-parsed header object. */
class LiteHeaders {
  private readonly map = new Map<string, string>();

  constructor(raw: http.IncomingHttpHeaders) {
    for (const [key, value] of Object.entries(raw)) {
      if (value !== undefined) this.map.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }

  forEach(callback: (value: string, key: string) => void): void {
    this.map.forEach(callback);
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  values(): IterableIterator<string> {
    return this.map.values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

/** A Response whose body is already in memory. */
class BufferedResponse {
  readonly type = 'basic';
  readonly redirected = false;
  readonly body = null;
  bodyUsed = false;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: LiteHeaders,
    readonly url: string,
    private readonly buffer: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.buffer.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return this.buffer.buffer.slice(this.buffer.byteOffset, this.buffer.byteOffset + this.buffer.byteLength) as ArrayBuffer;
  }

  clone(): BufferedResponse {
    return new BufferedResponse(this.status, this.statusText, this.headers, this.url, this.buffer);
  }
}
