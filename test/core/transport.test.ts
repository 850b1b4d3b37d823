import { getEventListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../src/core/providers/anthropic.js';
import { classifySdkError } from '../../src/core/providers/failure.js';
import { OpenAIProvider } from '../../src/core/providers/openai.js';
import { createTransport } from '../../src/core/providers/transport.js';
import { openaiConfig } from '../../src/core/providers/openai-sdk.js';
import { startStub, stubAnswer, type Stub } from '../stub/server.js';

// The real `openai` and `@anthropic-ai/sdk` clients over createTransport() (our lean fetch),
// against the stub server on 127.0.0.1: answers, error responses, dropped, refused, hanging and
// aborted connections, keep-alive and concurrency. Nothing of ours is mocked.

const KEY = 'sk-test-transport';

let stub: Stub;
beforeAll(async () => { stub = await startStub(); });
afterAll(async () => { await stub.close(); });
afterEach(async () => {
  // Back to a stub that answers everything, and no request left open on it.
  stub.configure({ status: undefined, hang: false, rateDrop: 0, retryAfterSeconds: 1, retryAfterMs: undefined, latencyMs: 0, requireKey: undefined });
  await until(() => stub.stats().inFlight === 0);
  stub.reset();
});

/** Waits (polling) until `check` holds; fails the test after `ms`. */
async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A port on 127.0.0.1 nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves to what `promise` rejected with; fails if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail, but it succeeded');
}

/** One SDK behind a common face: a chat call, the SDK's error classes, and where the stub serves it. */
interface Sdk {
  name: 'OpenAI' | 'Anthropic';
  classes: typeof OpenAI | typeof Anthropic;
  client(baseURL?: string): { ask(prompt: string, opts?: { system?: string; timeout?: number; signal?: AbortSignal }): Promise<{ text: string; promptTokens: number; completionTokens: number }> };
  baseURL(stub: Stub): string;
  /** the request path the stub sees */
  path: string;
}

const openai: Sdk = {
  name: 'OpenAI',
  classes: OpenAI,
  path: '/v1/chat/completions',
  baseURL: (s) => s.openaiBaseURL,
  client(baseURL = stub.openaiBaseURL) {
    const client = new OpenAI({ apiKey: KEY, baseURL, maxRetries: 0, fetch: createTransport() });
    return {
      async ask(prompt, opts = {}) {
        const messages: OpenAI.Chat.ChatCompletionMessageParam[] = opts.system ? [{ role: 'system', content: opts.system }, { role: 'user', content: prompt }] : [{ role: 'user', content: prompt }];
        const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }, requestOptions(opts));
        return { text: r.choices[0].message.content ?? '', promptTokens: r.usage!.prompt_tokens, completionTokens: r.usage!.completion_tokens };
      },
    };
  },
};

/** evalctl's OpenAI provider, whose chat completions skip the SDK's request path (DirectChat) but keep its error classes. */
const openaiDirect: Sdk = {
  name: 'OpenAI',
  classes: OpenAI,
  path: '/v1/chat/completions',
  baseURL: (s) => s.openaiBaseURL,
  client(baseURL = stub.openaiBaseURL) {
    const provider = new OpenAIProvider('gpt-4o-mini', { apiKey: KEY, baseURL });
    return {
      async ask(prompt, opts = {}) {
        const answer = await provider.complete({ prompt, system: opts.system }, { signal: opts.signal ?? new AbortController().signal, timeoutMs: opts.timeout ?? 60_000 });
        return { text: answer.text, promptTokens: answer.promptTokens, completionTokens: answer.completionTokens };
      },
    };
  },
};

const anthropic: Sdk = {
  name: 'Anthropic',
  classes: Anthropic,
  path: '/v1/messages',
  baseURL: (s) => s.anthropicBaseURL,
  client(baseURL = stub.anthropicBaseURL) {
    const client = new Anthropic({ apiKey: KEY, baseURL, maxRetries: 0, fetch: createTransport() });
    return {
      async ask(prompt, opts = {}) {
        const r = await client.messages.create(
          { model: 'claude-stub', max_tokens: 64, messages: [{ role: 'user', content: prompt }], ...(opts.system ? { system: opts.system } : {}) },
          requestOptions(opts),
        );
        const block = r.content[0];
        return { text: block.type === 'text' ? block.text : '', promptTokens: r.usage.input_tokens, completionTokens: r.usage.output_tokens };
      },
    };
  },
};

/** Per-request options with only the keys given (the SDKs reject `timeout: undefined`). */
function requestOptions(opts: { timeout?: number; signal?: AbortSignal }) {
  return { ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
}

/** The stub's token count (four characters a token). */
const tokens = (s: string) => Math.ceil(s.length / 4);

describe.each([{ ...openai, label: 'the OpenAI SDK over createTransport()' }, { ...openaiDirect, label: 'OpenAI chat completions sent directly (DirectChat)' }, { ...anthropic, label: 'the Anthropic SDK over createTransport()' }])('$label', (sdk) => {
  const classify = (error: unknown) => classifySdkError(error, sdk.classes, sdk.name);

  it('answers with usage', async () => {
    const prompt = 'Classify this review: fine, I guess';
    const answer = await sdk.client().ask(prompt);
    expect(answer).toEqual({ text: stubAnswer(prompt), promptTokens: tokens(prompt), completionTokens: tokens(stubAnswer(prompt)) });
    const last = stub.stats().lastRequest!;
    expect(last.method).toBe('POST');
    expect(last.path).toBe(sdk.path);
    expect(last.headers['content-type']).toBe('application/json');
    expect([last.headers.authorization, last.headers['x-api-key']]).toContain('***'); // the key was sent
    // Which path sent it: DirectChat names evalctl, the SDKs name themselves.
    expect(last.headers['user-agent']).toMatch(sdk.label.includes('DirectChat') ? /^evalctl$/ : /^(OpenAI|Anthropic)\/JS /);
    expect(stub.stats().paid).toBe(1);
  });

  it('sends the system prompt', async () => {
    const system = 'You are terse. Ünïcödé ✓';
    const answer = await sdk.client().ask('hello', { system });
    expect(answer.text).toBe(stubAnswer('hello'));
    expect(answer.promptTokens).toBe(tokens(system + 'hello'));
    const body = stub.stats().lastRequest!.body as { system?: string; messages: { role: string; content: string }[] };
    if (sdk.name === 'OpenAI') expect(body.messages[0]).toEqual({ role: 'system', content: system });
    else expect(body.system).toBe(system);
  });

  it('a non-ASCII answer survives the byte buffering intact', async () => {
    const prompt = '日本語のレビュー 🚀 '.repeat(2000); // ~60 KB of multi-byte text: many chunks
    const answer = await sdk.client().ask(prompt);
    expect(answer.text).toBe(stubAnswer(prompt));
  });

  it('a 429 is a RateLimitError with readable retry-after headers', async () => {
    stub.configure({ status: 429, retryAfterSeconds: 3, retryAfterMs: 1500 });
    const error = await rejection(sdk.client().ask('hi'));
    expect(error).toBeInstanceOf(sdk.classes.RateLimitError);
    expect(error.status).toBe(429);
    expect(error.headers.get('retry-after')).toBe('3');
    expect(error.headers.get('Retry-After')).toBe('3'); // names are case-insensitive
    expect(error.headers.get('retry-after-ms')).toBe('1500');
    expect(error.headers.get('x-not-there')).toBeNull();
    expect(classify(error)).toEqual({ kind: 'rate-limit', status: 429, retryAfterMs: 1500, message: `${sdk.name} 429: Rate limit reached (stub)` });

    stub.configure({ retryAfterMs: undefined, retryAfterSeconds: 2 });
    const secondsOnly = await rejection(sdk.client().ask('hi'));
    expect(secondsOnly.headers.get('retry-after-ms')).toBeNull();
    expect(classify(secondsOnly)).toMatchObject({ kind: 'rate-limit', retryAfterMs: 2000 });
  });

  it.each([
    [500, 'InternalServerError', 'server', 'The server had an error while processing your request (stub)'],
    [401, 'AuthenticationError', 'auth', 'Incorrect API key provided (stub)'],
    [404, 'NotFoundError', 'not-found', 'The model `%model` does not exist (stub)'],
    [400, 'BadRequestError', 'bad-request', 'Bad request (stub)'],
  ] as const)('a %i is %s, classified %s with the API\'s message on one line', async (status, errorClass, kind, text) => {
    stub.configure({ status });
    const error = await rejection(sdk.client().ask('hi'));
    expect(error).toBeInstanceOf(sdk.classes[errorClass]);
    expect(error.status).toBe(status);
    expect(error.headers.get('x-request-id')).toMatch(/^req_stub\d+$/);
    const model = sdk.name === 'OpenAI' ? 'gpt-4o-mini' : 'claude-stub';
    expect(classify(error)).toEqual({ kind, status, retryAfterMs: undefined, message: `${sdk.name} ${status}: ${text.replace('%model', model)}` });
  });

  it('a wrong key: the message is the API\'s words, not its JSON', async () => {
    stub.configure({ requireKey: 'sk-the-right-one' });
    const error = await rejection(sdk.client().ask('hi'));
    expect(error).toBeInstanceOf(sdk.classes.AuthenticationError);
    const failure = classify(error);
    expect(failure.message).toBe(`${sdk.name} 401: Incorrect API key provided (stub)`);
    expect(failure.message).not.toMatch(/[{}"\n]/);
  });

  it('a dropped connection is an APIConnectionError, classified as a connection failure naming ECONNRESET', async () => {
    stub.configure({ rateDrop: 1 });
    const error = await rejection(sdk.client().ask('hi'));
    expect(error).toBeInstanceOf(sdk.classes.APIConnectionError);
    expect(error).not.toBeInstanceOf(sdk.classes.APIConnectionTimeoutError);
    expect(error.cause).toMatchObject({ code: 'ECONNRESET' });
    expect(classify(error)).toEqual({ kind: 'connection', message: `connection to ${sdk.name} failed (ECONNRESET)` });
    expect(stub.stats().dropped).toBe(1);
  });

  it('a refused connection is an APIConnectionError whose classification names ECONNREFUSED', async () => {
    const port = await closedPort();
    const base = sdk.name === 'OpenAI' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`;
    const error = await rejection(sdk.client(base).ask('hi'));
    expect(error).toBeInstanceOf(sdk.classes.APIConnectionError);
    expect(error).not.toBeInstanceOf(sdk.classes.APIConnectionTimeoutError);
    expect(classify(error)).toEqual({ kind: 'connection', message: `connection to ${sdk.name} failed (ECONNREFUSED)` });
  });

  it('a server that never answers times out with the per-request timeout, and the socket is closed', async () => {
    stub.configure({ hang: true });
    const started = Date.now();
    const error = await rejection(sdk.client().ask('hi', { timeout: 300 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(sdk.classes.APIConnectionTimeoutError);
    expect(classify(error)).toEqual({ kind: 'timeout', message: 'request timed out' });
    await until(() => stub.stats().inFlight === 0);
  });

  it('the caller aborting mid-request is an APIUserAbortError, and the socket is closed', async () => {
    stub.configure({ hang: true });
    const controller = new AbortController();
    const pending = rejection(sdk.client().ask('hi', { signal: controller.signal }));
    await until(() => stub.stats().inFlight === 1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(sdk.classes.APIUserAbortError);
    expect(classify(error)).toEqual({ kind: 'aborted', message: 'request aborted' });
    await until(() => stub.stats().inFlight === 0);
    expect(stub.stats().paid).toBe(0);
  });

  it('an abort while the answer is on its way still rejects, and the socket is closed', async () => {
    stub.configure({ latencyMs: 300 });
    const controller = new AbortController();
    const pending = rejection(sdk.client().ask('slow', { signal: controller.signal }));
    await until(() => stub.stats().inFlight === 1);
    setTimeout(() => controller.abort(), 100);
    const error = await pending;
    expect(error).toBeInstanceOf(sdk.classes.APIUserAbortError);
    await until(() => stub.stats().inFlight === 0);
  });

  it('32 parallel requests all succeed, really in parallel', async () => {
    stub.configure({ latencyMs: 100 });
    const client = sdk.client();
    const prompts = Array.from({ length: 32 }, (_, i) => `parallel ${i}`);
    const answers = await Promise.all(prompts.map((p) => client.ask(p)));
    expect(answers.map((a) => a.text)).toEqual(prompts.map(stubAnswer));
    expect(stub.stats().maxInFlight).toBe(32);
    expect(stub.stats().paid).toBe(32);
  });
});

describe('keep-alive', () => {
  // A TCP proxy in front of the stub counts the connections the client opens.
  let proxy: net.Server;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  let proxyURL: string;

  beforeAll(async () => {
    proxy = net.createServer((client) => {
      connections++;
      const upstream = net.connect(stub.port, '127.0.0.1');
      for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyURL = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  it.each([{ ...openai, via: 'SDK' }, { ...openaiDirect, via: 'direct' }, { ...anthropic, via: 'SDK' }])('$name ($via): 50 sequential requests share one connection', async (sdk) => {
    connections = 0;
    const client = sdk.client(sdk.name === 'OpenAI' ? proxyURL + '/v1' : proxyURL);
    for (let i = 0; i < 50; i++) expect((await client.ask(`seq ${i}`)).text).toBe(stubAnswer(`seq ${i}`));
    expect(stub.stats().paid).toBe(50);
    expect(connections).toBe(1);
  });

  it('a parallel burst opens one connection per request in flight, then reuses them', async () => {
    connections = 0;
    stub.configure({ latencyMs: 50 });
    const client = openai.client(proxyURL + '/v1');
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => client.ask(`burst ${round} ${i}`)));
    }
    expect(stub.stats().paid).toBe(24);
    expect(connections).toBe(8);
  });

  it('a connection the server closed while idle is not reused: the next request opens a fresh one', async () => {
    const remotePorts: number[] = [];
    const server = http.createServer((req, res) => {
      remotePorts.push(req.socket.remotePort!);
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = openai.client(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
      expect((await client.ask('a')).text).toBe('ok');
      expect((await client.ask('b')).text).toBe('ok');
      server.closeIdleConnections(); // as a server with a short keep-alive timeout does
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await client.ask('c')).text).toBe('ok');
      expect(remotePorts[0]).toBe(remotePorts[1]);
      expect(remotePorts[2]).not.toBe(remotePorts[1]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('connections idle longer than idleTimeoutMs are closed by the client (servers that never say when they close)', async () => {
    let opened = 0;
    let closed = 0;
    // keepAliveTimeout 0: the server keeps idle connections forever and sends no Keep-Alive hint.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); });
    });
    server.keepAliveTimeout = 0;
    server.on('connection', (socket) => { opened++; socket.on('close', () => closed++); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const transport = createTransport({ idleTimeoutMs: 200 });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
      expect((await transport(url)).status).toBe(200);
      expect((await transport(url)).status).toBe(200);
      expect(opened).toBe(1);
      await until(() => closed === 1, 2000);
      expect((await transport(url)).status).toBe(200);
      expect(opened).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe.each([{ ...openai, via: 'the SDK' }, { ...openaiDirect, via: 'DirectChat' }])('https ($via)', (openai) => {
  it('requests over TLS reuse one connection (one handshake) through the https agent', async () => {
    // A self-signed certificate for 127.0.0.1 (test/fixtures/tls); Node 20 cannot add a CA at run
    // time, so verification is switched off for this test only.
    const dir = new URL('../fixtures/tls/', import.meta.url);
    const server = https.createServer({ key: readFileSync(new URL('localhost.key', dir)), cert: readFileSync(new URL('localhost.crt', dir)) }, (req, res) => {
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: `tls ${req.url}` }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
    });
    let handshakes = 0;
    server.on('secureConnection', () => handshakes++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const client = openai.client(`https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
      for (let i = 0; i < 10; i++) expect((await client.ask(`q${i}`)).text).toBe('tls /v1/chat/completions');
      expect(handshakes).toBe(1);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('an untrusted certificate is a connection error naming the TLS code', async () => {
    const dir = new URL('../fixtures/tls/', import.meta.url);
    const server = https.createServer({ key: readFileSync(new URL('localhost.key', dir)), cert: readFileSync(new URL('localhost.crt', dir)) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const error = await rejection(openai.client(`https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`).ask('hi'));
      expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(classifySdkError(error, OpenAI, 'OpenAI')).toEqual({ kind: 'connection', message: 'connection to OpenAI failed (DEPTH_ZERO_SELF_SIGNED_CERT)' });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe.each([{ ...openai, via: 'the SDK' }, { ...openaiDirect, via: 'DirectChat' }])('transport edge cases (OpenAI through $via)', (openai) => {
  /** A raw server whose handler writes what a misbehaving server would. */
  async function rawServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ baseURL: string; close(): Promise<void> }> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      close: () => { server.closeAllConnections(); return new Promise<void>((resolve) => server.close(() => resolve())); },
    };
  }

  it('a connection closed half-way through the body is a connection error, not a hang or a parse error', async () => {
    const server = await rawServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"x","choices":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    try {
      const error = await rejection(openai.client(server.baseURL).ask('hi', { timeout: 5000 }));
      expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(error).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
      expect(classifySdkError(error, OpenAI, 'OpenAI')).toEqual({ kind: 'connection', message: 'connection to OpenAI failed (ECONNRESET)' });
    } finally {
      await server.close();
    }
  });

  it('a body that stalls half-way: the SDK timeout and the caller abort both end it, and close the socket', async () => {
    let open = 0;
    const server = await rawServer((req, res) => {
      open++;
      res.on('close', () => open--);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"x",');
    });
    try {
      const timedOut = await rejection(openai.client(server.baseURL).ask('hi', { timeout: 300 }));
      expect(timedOut).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
      await until(() => open === 0);
      const controller = new AbortController();
      const pending = rejection(anthropic.client(server.baseURL.replace(/\/v1$/, '')).ask('hi', { signal: controller.signal }));
      await until(() => open === 1);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the headers are in
      controller.abort();
      expect(await pending).toBeInstanceOf(Anthropic.APIUserAbortError);
      await until(() => open === 0);
    } finally {
      await server.close();
    }
  });

  it('the idle timeout never cuts a slow answer short', async () => {
    const server = await rawServer((req, res) => {
      req.resume();
      setTimeout(() => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"late":true}'); }, 400);
    });
    try {
      const response = await createTransport({ idleTimeoutMs: 50 })(server.baseURL + '/x');
      expect(await response.json()).toEqual({ late: true });
    } finally {
      await server.close();
    }
  });

  it('repeated response headers are joined; names are case-insensitive', async () => {
    const server = await rawServer((req, res) => {
      req.resume();
      res.writeHead(429, [['Content-Type', 'application/json'], ['Retry-After-Ms', '750'], ['X-Thing', 'a'], ['X-Thing', 'b']]);
      res.end(JSON.stringify({ error: { message: 'Slow down.\n  Please.', type: 'requests' } }));
    });
    try {
      const error = await rejection(openai.client(server.baseURL).ask('hi'));
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.headers.get('RETRY-AFTER-MS')).toBe('750');
      expect(error.headers.get('x-thing')).toBe('a, b');
      expect(classifySdkError(error, OpenAI, 'OpenAI')).toEqual({ kind: 'rate-limit', status: 429, retryAfterMs: 750, message: 'OpenAI 429: Slow down. Please.' });
    } finally {
      await server.close();
    }
  });

  it('a non-JSON error body (a proxy\'s HTML page) becomes one line', async () => {
    const server = await rawServer((req, res) => {
      req.resume();
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n');
    });
    try {
      for (const [sdk, base] of [[openai, server.baseURL], [anthropic, server.baseURL.replace(/\/v1$/, '')]] as const) {
        const error = await rejection(sdk.client(base).ask('hi'));
        expect(error).toBeInstanceOf(sdk.classes.InternalServerError);
        const failure = classifySdkError(error, sdk.classes, sdk.name);
        expect(failure).toMatchObject({ kind: 'server', status: 502 });
        expect(failure.message).toBe(`${sdk.name} 502: <html> <head><title>502 Bad Gateway</title></head> <body>nginx</body> </html>`);
      }
    } finally {
      await server.close();
    }
  });

  it('request headers reach the server once each, with their values', async () => {
    let seen: http.IncomingHttpHeaders = {};
    let raw: string[] = [];
    const server = await rawServer((req, res) => {
      seen = req.headers;
      raw = req.rawHeaders;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
    try {
      const transport = createTransport();
      const response = await transport(server.baseURL + '/x', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'content-type': 'text/plain', 'X-Custom': 'v' },
        body: '{}',
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Type')).toBe('application/json');
      expect(await response.json()).toEqual({ ok: true });
      const names = raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      expect(names.filter((n) => n === 'content-type')).toHaveLength(1);
      expect(seen['x-custom']).toBe('v');
      expect(seen['content-length']).toBe('2');

      const fromHeaders = await transport(server.baseURL + '/x', { method: 'POST', headers: new Headers([['X-A', '1'], ['x-a', '2']]), body: new TextEncoder().encode('{"a":1}') });
      expect(fromHeaders.status).toBe(200);
      expect(seen['x-a']).toBe('1, 2');
      expect(seen['content-length']).toBe('7');

      // As fetch does: a name given twice in an array of pairs sends both values.
      await transport(server.baseURL + '/x', { headers: [['X-B', '1'], ['x-b', '2']] });
      expect(seen['x-b']).toBe('1, 2');
    } finally {
      await server.close();
    }
  });

  it('leaves no abort listener on a reused signal, whatever the outcome', async () => {
    stub.configure({ status: undefined });
    const controller = new AbortController();
    const transport = createTransport();
    const port = await closedPort();
    for (let i = 0; i < 5; i++) {
      const ok = await transport(stub.openaiBaseURL + '/models', { signal: controller.signal });
      expect(ok.status).toBe(200);
      await expect(transport(`http://127.0.0.1:${port}/`, { signal: controller.signal })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    stub.configure({ rateDrop: 1 });
    await expect(transport(stub.openaiBaseURL + '/chat/completions', { method: 'POST', body: '{"model":"m","messages":[{"role":"user","content":"x"}]}', signal: controller.signal })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort(); // nothing is listening any more: no late rejection, no crash
  });

  it('an abort rejects with an AbortError at once and closes the socket', async () => {
    stub.configure({ hang: true });
    const controller = new AbortController();
    const pending = createTransport()(stub.openaiBaseURL + '/models', { signal: controller.signal });
    await until(() => stub.stats().inFlight === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await until(() => stub.stats().inFlight === 0);
    const already = new AbortController();
    already.abort();
    await expect(createTransport()(stub.openaiBaseURL + '/models', { signal: already.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a body it cannot send is refused, not silently dropped', async () => {
    const transport = createTransport();
    await expect(transport('http://127.0.0.1:9/never', { method: 'POST', body: new Blob(['x']) })).rejects.toThrow(TypeError);
  });
});

describe.each([
  ['OpenAI', (model: string, baseURL: string, apiKey = KEY) => new OpenAIProvider(model, { apiKey, baseURL }), (s: Stub) => s.openaiBaseURL, 'gpt-4o-mini'],
  ['Anthropic', (model: string, baseURL: string, apiKey = KEY) => new AnthropicProvider(model, { apiKey, baseURL }), (s: Stub) => s.anthropicBaseURL, 'claude-stub'],
] as const)('%sProvider end to end over the transport', (name, make, base, model) => {
  const options = () => ({ signal: new AbortController().signal, timeoutMs: 5000 });

  it('complete(): the answer and usage, with the system prompt, temperature and max tokens sent', async () => {
    const provider = make(model, base(stub));
    const completion = await provider.complete({ prompt: 'Rate: great', system: 'Be brief.', temperature: 0, maxTokens: 20 }, options());
    expect(completion).toEqual({ text: stubAnswer('Rate: great'), promptTokens: tokens('Be brief.Rate: great'), completionTokens: tokens(stubAnswer('Rate: great')) });
    const body = stub.stats().lastRequest!.body as Record<string, unknown>;
    expect(body).toMatchObject({ model, temperature: 0, max_tokens: 20 });
  });

  it('classify(): a wrong key, a 429, a refused port, a timeout and an abort', async () => {
    stub.configure({ requireKey: 'sk-right' });
    const provider = make(model, base(stub));
    const auth = provider.classify(await rejection(provider.complete({ prompt: 'x' }, options())));
    expect(auth).toEqual({ kind: 'auth', status: 401, retryAfterMs: undefined, message: `${name} 401: Incorrect API key provided (stub)` });

    stub.configure({ requireKey: undefined, status: 429, retryAfterSeconds: 4 });
    expect(provider.classify(await rejection(provider.complete({ prompt: 'x' }, options())))).toMatchObject({ kind: 'rate-limit', status: 429, retryAfterMs: 4000 });

    stub.configure({ status: undefined, hang: true });
    expect(provider.classify(await rejection(provider.complete({ prompt: 'x' }, { ...options(), timeoutMs: 200 })))).toEqual({ kind: 'timeout', message: 'request timed out' });
    const controller = new AbortController();
    const pending = rejection(provider.complete({ prompt: 'x' }, { signal: controller.signal, timeoutMs: 5000 }));
    await until(() => stub.stats().inFlight >= 1);
    controller.abort();
    expect(provider.classify(await pending)).toEqual({ kind: 'aborted', message: 'request aborted' });
    await until(() => stub.stats().inFlight === 0);

    const port = await closedPort();
    const refused = make(model, name === 'OpenAI' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`);
    expect(refused.classify(await rejection(refused.complete({ prompt: 'x' }, options())))).toEqual({ kind: 'connection', message: `connection to ${name} failed (ECONNREFUSED)` });
  });
});

describe('OpenAIProvider: which path, and the signal it is handed', () => {
  it('sends chat completions directly, and leaves no listener on the signal whatever the outcome (answer, error, timeout, drop)', async () => {
    const provider = new OpenAIProvider('gpt-4o-mini', { apiKey: KEY, baseURL: stub.openaiBaseURL });
    expect(provider.releasesSignal).toBe(true);
    const run = new AbortController();
    const options = { signal: run.signal, timeoutMs: 5000 };
    await provider.complete({ prompt: 'one' }, options);
    stub.configure({ status: 500 });
    await rejection(provider.complete({ prompt: 'two' }, options));
    stub.configure({ status: undefined, hang: true });
    await rejection(provider.complete({ prompt: 'three' }, { ...options, timeoutMs: 100 }));
    stub.configure({ hang: false, rateDrop: 1 });
    await rejection(provider.complete({ prompt: 'four' }, options));
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    expect(stub.stats().lastRequest!.headers['user-agent']).toBe('evalctl');
  });

  it('goes through the SDK when asked to, or when the SDK\'s own request logs are on (OPENAI_LOG)', async () => {
    const viaSdk = new OpenAIProvider('gpt-4o-mini', { apiKey: KEY, baseURL: stub.openaiBaseURL, via: 'sdk' });
    expect(viaSdk.releasesSignal).toBe(false);
    await viaSdk.complete({ prompt: 'sdk' }, { signal: new AbortController().signal, timeoutMs: 5000 });
    expect(stub.stats().lastRequest!.headers['user-agent']).toMatch(/^OpenAI\/JS /);
    const previous = process.env.OPENAI_LOG;
    process.env.OPENAI_LOG = 'info';
    try {
      expect(new OpenAIProvider('gpt-4o-mini', { apiKey: KEY, baseURL: stub.openaiBaseURL }).releasesSignal).toBe(false);
    } finally {
      if (previous === undefined) delete process.env.OPENAI_LOG;
      else process.env.OPENAI_LOG = previous;
    }
  });
});

describe('openaiConfig: resolved as the SDK\'s client resolves it', () => {
  it.each([
    [{}, undefined],
    [{}, 'http://127.0.0.1:9/v1'],
    [{ OPENAI_BASE_URL: ' http://127.0.0.1:8/v1 ', OPENAI_ORG_ID: 'org-1', OPENAI_PROJECT_ID: 'proj_2', OPENAI_LOG: 'warn' }, undefined],
    [{ OPENAI_BASE_URL: 'http://127.0.0.1:8/v1' }, 'http://127.0.0.1:9/v1'],
    [{ OPENAI_BASE_URL: '  ', OPENAI_ORG_ID: '' }, undefined],
  ])('env %j, baseURL %s', (vars, baseURL) => {
    const saved = { ...process.env };
    for (const name of ['OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_LOG']) delete process.env[name];
    Object.assign(process.env, vars);
    try {
      const sdk = new OpenAI({ apiKey: KEY, baseURL });
      const ours = openaiConfig({ apiKey: KEY, baseURL });
      expect(ours).toEqual({ apiKey: sdk.apiKey, baseURL: sdk.baseURL, organization: sdk.organization, project: sdk.project, logLevel: (vars as { OPENAI_LOG?: string }).OPENAI_LOG });
    } finally {
      process.env = saved;
    }
  });
});
