import { createAgents, exchange, targetOf, type Agents } from './http-exchange.js';

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
export function createTransport(options: { idleTimeoutMs?: number; agents?: Agents } = {}): typeof fetch {
  const agents = options.agents ?? createAgents(options.idleTimeoutMs);
  const transport = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const target = targetOf(url);
    if (!target) throw new TypeError(`unsupported protocol ${url.protocol}`);
    const response = await exchange(agents, target, {
      method: init.method ?? 'GET', headers: headerList(init.headers), body: requestBody(init.body), signal: init.signal ?? undefined,
    });
    return new BufferedResponse(response.status, response.statusText, new LiteHeaders(response.rawHeaders), url.href, response.body) as unknown as Response;
  };
  return transport as typeof fetch;
}

/** The bodies the SDKs send (JSON text); anything else is refused rather than silently dropped. */
function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError(`unsupported request body (${Object.prototype.toString.call(body)}): only text and bytes can be sent`);
}

/**
 * Request headers as a flat name, value list with lower-case names, each name once (a name
 * given twice gets both values, as with Headers); `host` and `content-length` are left to
 * `exchange`.
 */
function headerList(headers: RequestInit['headers']): string[] {
  const merged: Record<string, string> = {};
  const add = (key: string, value: string) => {
    const name = key.toLowerCase();
    if (name === 'host' || name === 'content-length') return;
    merged[name] = merged[name] === undefined ? String(value) : `${merged[name]}, ${value}`;
  };
  if (headers) {
    if (Array.isArray(headers)) for (const [key, value] of headers) add(key, value);
    else if (typeof (headers as Headers).forEach === 'function') (headers as Headers).forEach((value, key) => add(key, value));
    else for (const [key, value] of Object.entries(headers)) if (value !== undefined && value !== null) add(key, value);
  }
  const out: string[] = [];
  for (const name in merged) out.push(name, merged[name]);
  return out;
}

/** The read-only part of Headers that the SDKs use, over node's already-parsed header object. */
export class LiteHeaders {
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
