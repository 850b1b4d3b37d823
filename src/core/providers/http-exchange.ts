import http from 'node:http';
import https from 'node:https';

/** Keep-alive agents, one per protocol, shared by every request of one client. */
export interface Agents {
  readonly 'http:': http.Agent;
  readonly 'https:': https.Agent;
}

/**
 * `timeout` closes a pooled connection after this long idle (it never cuts an active request
 * short): a server that drops idle connections without a Keep-Alive hint would otherwise hand
 * the next request a dead socket (ECONNRESET). undici, behind global fetch, also uses 4 s.
 */
export function createAgents(idleTimeoutMs = 4000): Agents {
  const options = { keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' as const, timeout: idleTimeoutMs };
  return { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
}

/** Where a request goes, resolved once: the parsed URL parts node:http takes. */
export interface Target {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port: string;
  readonly path: string;
  /** `host` header value (host[:port]). */
  readonly host: string;
}

export function targetOf(url: URL): Target | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // node:http wants the bare address of an IPv6 host, without its brackets.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { protocol: url.protocol, hostname, port: url.port, path: url.pathname + url.search, host: url.host };
}

/** A whole response: status, the raw header list (name, value, name, value...), and the body. */
export interface RawResponse {
  readonly status: number;
  readonly statusText: string;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export interface ExchangeOptions {
  readonly method: string;
  /** Flat list, name then value, without `host` (added here). */
  readonly headers: string[];
  readonly body?: string | Uint8Array;
  /** Aborts the request: rejects with an `AbortError` and closes the socket. */
  readonly signal?: AbortSignal;
  /** No whole response within this many ms: rejects with a `TimeoutError` and closes the socket. */
  readonly timeoutMs?: number;
}

/**
 * One request over node:http(s) and a keep-alive agent, the response read whole. Rejects with
 * the socket's own error (ECONNREFUSED, a TLS code) when the connection fails, an ECONNRESET
 * error when it closes before the response ends, `AbortError` or `TimeoutError` (DOMExceptions)
 * when the caller gives up. Settles exactly once; never leaves the caller waiting.
 */
export function exchange(agents: Agents, target: Target, options: ExchangeOptions): Promise<RawResponse> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error: Error | undefined, response?: RawResponse) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(response!);
    };
    const giveUp = (error: Error) => {
      if (settled) return;
      request.destroy(error); // closes the socket (never returned to the pool)
      settle(error);
    };
    const onAbort = () => giveUp(abortError());
    const headers = options.headers.slice();
    headers.push('host', target.host);
    if (options.body !== undefined) headers.push('content-length', String(typeof options.body === 'string' ? Buffer.byteLength(options.body) : options.body.byteLength));
    const request = (target.protocol === 'https:' ? https : http).request({
      protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.path,
      method: options.method, headers, agent: agents[target.protocol],
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(() => giveUp(new DOMException('The operation timed out.', 'TimeoutError')), timeoutMs);
    request.on('error', (error) => settle(error));
    let responded = false;
    request.on('close', () => { if (!responded && !settled) settle(connectionReset('socket hang up')); });
    request.on('response', (response) => {
      responded = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => settle(error));
      response.on('end', () => {
        if (!response.complete) { settle(connectionReset('connection closed before the response ended')); return; }
        settle(undefined, { status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', rawHeaders: response.rawHeaders, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
      });
      // Closed without 'end' (and without an 'error'): never leave the caller waiting.
      response.on('close', () => { if (!settled) settle(connectionReset('connection closed before the response ended')); });
    });
    request.end(options.body);
  });
}

function connectionReset(message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}

function abortError(): Error {
  return new DOMException('The operation was aborted.', 'AbortError');
}
