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
export function createTransport(options: { idleTimeoutMs?: number } = {}): typeof fetch {
  // `timeout` closes a pooled connection after this long idle (it never cuts an active request
  // short): a server that drops idle connections without a Keep-Alive hint would otherwise hand
  // the next request a dead socket (ECONNRESET). undici, behind global fetch, also uses 4 s.
  const agentOptions = { keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' as const, timeout: options.idleTimeoutMs ?? 4000 };
  const agents = {
    'http:': new http.Agent(agentOptions),
    'https:': new https.Agent(agentOptions),
  };
  const transport = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError());
    let body: string | Uint8Array | undefined;
    let headers: Record<string, string>;
    try {
      body = requestBody(init.body);
      headers = plainHeaders(init.headers);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      // Settles once: later events (the error a destroy emits, a socket closing after the
      // answer) find the promise settled and the abort listener already gone.
      let settled = false;
      const settle = (error: Error | undefined, response?: BufferedResponse) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(response as unknown as Response);
      };
      const onAbort = () => {
        const error = abortError();
        request.destroy(error); // closes the socket (never returned to the pool)
        settle(error);
      };
      const request = (url.protocol === 'https:' ? https : http).request(url, { method: init.method ?? 'GET', headers, agent });
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error) => settle(error));
      let responded = false;
      request.on('close', () => { if (!responded) settle(connectionReset('socket hang up')); });
      request.on('response', (response) => {
        responded = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => settle(error));
        response.on('end', () => {
          if (!response.complete) { settle(connectionReset('connection closed before the response ended')); return; }
          settle(undefined, new BufferedResponse(response.statusCode ?? 0, response.statusMessage ?? '', new LiteHeaders(response.rawHeaders), url.href, Buffer.concat(chunks)));
        });
        // Closed without 'end' (and without an 'error'): never leave the caller waiting.
        response.on('close', () => settle(connectionReset('connection closed before the response ended')));
      });
      request.end(body);
    });
  };
  return transport as typeof fetch;
}

function connectionReset(message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}

/** The bodies the SDKs send (JSON text); anything else is refused rather than silently dropped. */
function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError(`unsupported request body (${Object.prototype.toString.call(body)}): only text and bytes can be sent`);
}

function abortError(): Error {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** Request headers as a plain object with lower-case names; a name given twice gets both values, as with Headers. */
function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, value: string) => {
    const name = key.toLowerCase();
    out[name] = out[name] === undefined ? String(value) : `${out[name]}, ${value}`;
  };
  if (!headers) return out;
  if (Array.isArray(headers)) for (const [key, value] of headers) add(key, value);
  else if (typeof (headers as Headers).forEach === 'function') (headers as Headers).forEach((value, key) => add(key, value));
  else for (const [key, value] of Object.entries(headers)) if (value !== undefined && value !== null) add(key, value);
  return out;
}

/** The read-only part of Headers that the SDKs use, over node's already-parsed header object. */
class LiteHeaders {
  private readonly map = new Map<string, string>();

  /** From node's rawHeaders (name, value, name, value...): every value kept, repeated names joined, as fetch does. */
  constructor(raw: string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i].toLowerCase();
      const value = raw[i + 1];
      const prior = this.map.get(name);
      this.map.set(name, prior === undefined ? value : `${prior}, ${value}`);
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
