// Tests of the stub LLM server, driven through the real `openai` and `@anthropic-ai/sdk` clients.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { createInterface } from 'node:readline';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStub, stubAnswer, stubEmbedding, type Stub } from './server.js';

const tok = (s: string) => Math.ceil(s.length / 4);

let stub: Stub;
beforeAll(async () => { stub = await startStub(); });
afterAll(async () => { await stub.close(); });
afterEach(() => {
  // back to defaults (null unsets) and clean stats for the next test
  stub.configure({ latencyMs: 0, rate429: 0, rate500: 0, rateDrop: 0, seed: 1, retryAfterSeconds: 1, retryAfterMs: undefined, failFirst: 0, failStatus: undefined, status: undefined, failPrompts: undefined, failPromptsStatus: undefined, hang: false, requireKey: undefined, answer: undefined });
  stub.reset();
});

const openai = (o: { apiKey?: string; maxRetries?: number; timeout?: number; baseURL?: string } = {}) =>
  new OpenAI({ apiKey: 'sk-test', baseURL: stub.openaiBaseURL, maxRetries: 0, ...o });
const anthropic = (o: { apiKey?: string; maxRetries?: number; timeout?: number } = {}) =>
  new Anthropic({ apiKey: 'ak-test', baseURL: stub.anthropicBaseURL, maxRetries: 0, ...o });

type Wire = 'openai' | 'anthropic';
/** One completion through the real SDK of `wire`; resolves to the answer text. */
async function ask(wire: Wire, prompt: string, o: Parameters<typeof openai>[0] = {}, system?: string): Promise<string> {
  if (wire === 'openai') {
    const messages: OpenAI.ChatCompletionMessageParam[] = system ? [{ role: 'system', content: system }] : [];
    messages.push({ role: 'user', content: prompt });
    const r = await openai(o).chat.completions.create({ model: 'gpt-test', messages });
    return r.choices[0].message.content ?? '';
  }
  const r = await anthropic(o).messages.create({ model: 'claude-test', max_tokens: 100, system, messages: [{ role: 'user', content: prompt }] });
  return r.content[0].type === 'text' ? r.content[0].text : '';
}

async function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(stub.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

describe('helpers', () => {
  it('stubAnswer is "A:" + prompt', () => {
    expect(stubAnswer('hello')).toBe('A:hello');
    expect(stubAnswer('')).toBe('A:');
  });
  it('stubEmbedding gives 8 deterministic float32 values in [-1, 1) that depend on the text', () => {
    const a = stubEmbedding('x');
    expect(a).toHaveLength(8);
    expect(stubEmbedding('x')).toEqual(a);
    expect(stubEmbedding('y')).not.toEqual(a);
    for (const v of a) { expect(v).toBeGreaterThanOrEqual(-1); expect(v).toBeLessThan(1); expect(Math.fround(v)).toBe(v); }
  });
  it('binds 127.0.0.1 on an ephemeral port and exposes base URLs', () => {
    expect(stub.url).toBe(`http://127.0.0.1:${stub.port}`);
    expect(stub.port).toBeGreaterThan(0);
    expect(stub.openaiBaseURL).toBe(stub.url + '/v1');
    expect(stub.anthropicBaseURL).toBe(stub.url);
  });
});

describe('OpenAI wire format', () => {
  it('answers chat completions with the full object and usage', async () => {
    const r = await openai().chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'What is 2+2?' }],
    });
    expect(r.id).toMatch(/^chatcmpl-/);
    expect(r.object).toBe('chat.completion');
    expect(r.model).toBe('gpt-test');
    expect(Math.abs(r.created - Date.now() / 1000)).toBeLessThan(5);
    expect(r.choices).toEqual([{ index: 0, message: { role: 'assistant', content: 'A:What is 2+2?', refusal: null }, finish_reason: 'stop', logprobs: null }]);
    const pt = tok('You are terse.' + 'What is 2+2?'), ct = tok('A:What is 2+2?');
    expect(r.usage).toEqual({ prompt_tokens: pt, completion_tokens: ct, total_tokens: pt + ct });
  });

  it('keys on the last user message, concatenating text parts; system/developer prompts count as prompt tokens', async () => {
    const r = await openai().chat.completions.create({
      model: 'gpt-test',
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'sys-' }, { type: 'text', text: 'tem' }] },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'A:first question' },
        { role: 'user', content: [{ type: 'text', text: 'sec' }, { type: 'text', text: 'ond' }] },
      ],
      max_completion_tokens: 50,
      temperature: 0,
    });
    expect(r.choices[0].message.content).toBe('A:second');
    expect(r.usage?.prompt_tokens).toBe(tok('sys-tem' + 'second'));
    expect(stub.paidCount('second')).toBe(1);
    expect(stub.paidCount('first question')).toBe(0);
  });

  it('returns the full answer but the real completion count when max_tokens is smaller', async () => {
    const prompt = 'x'.repeat(100);
    const r = await openai().chat.completions.create({ model: 'gpt-test', max_tokens: 1, messages: [{ role: 'user', content: prompt }] });
    expect(r.choices[0].message.content).toBe('A:' + prompt);
    expect(r.usage?.completion_tokens).toBe(tok('A:' + prompt));
  });

  it('answers embeddings (float and the SDK default base64) with 8 deterministic floats', async () => {
    const asBase64 = await openai().embeddings.create({ model: 'emb-test', input: ['alpha', 'beta'] });
    const asFloat = await openai().embeddings.create({ model: 'emb-test', input: 'alpha', encoding_format: 'float' });
    expect(asBase64.object).toBe('list');
    expect(asBase64.model).toBe('emb-test');
    expect(asBase64.data.map((d) => d.index)).toEqual([0, 1]);
    expect(asBase64.data[0].embedding).toEqual(stubEmbedding('alpha'));
    expect(asBase64.data[1].embedding).toEqual(stubEmbedding('beta'));
    expect(asFloat.data[0].embedding).toEqual(stubEmbedding('alpha'));
    expect(asBase64.usage).toEqual({ prompt_tokens: tok('alpha') + tok('beta'), total_tokens: tok('alpha') + tok('beta') });
    const s = stub.stats();
    expect(s.embeddings).toBe(2);
    expect(s.paid).toBe(0);
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const m of openai().models.list()) ids.push(m.id);
    expect(ids).toContain('stub-model');
    const one = await openai().models.retrieve('gpt-x');
    expect(one).toMatchObject({ id: 'gpt-x', object: 'model' });
  });
});

describe('Anthropic wire format', () => {
  it('answers messages with the full object and usage', async () => {
    const r = await anthropic().messages.create({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi there' }] });
    expect(r.id).toMatch(/^msg_/);
    expect(r).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-test', stop_reason: 'end_turn', stop_sequence: null });
    expect(r.content).toEqual([{ type: 'text', text: 'A:Hi there' }]);
    expect(r.usage).toEqual({ input_tokens: tok('Hi there'), output_tokens: tok('A:Hi there') });
  });

  it('reads system as a string or text blocks and content as blocks; keys on the last user message', async () => {
    const a = await anthropic().messages.create({ model: 'claude-test', max_tokens: 64, system: 'Be brief and exact.', messages: [{ role: 'user', content: 'q1' }] });
    expect(a.usage.input_tokens).toBe(tok('Be brief and exact.' + 'q1'));
    const b = await anthropic().messages.create({
      model: 'claude-test',
      max_tokens: 64,
      system: [{ type: 'text', text: 'Be brief ' }, { type: 'text', text: 'and exact.' }],
      messages: [
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'A:earlier' },
        { role: 'user', content: [{ type: 'text', text: 'la' }, { type: 'text', text: 'ter' }] },
      ],
    });
    expect(b.content).toEqual([{ type: 'text', text: 'A:later' }]);
    expect(b.usage.input_tokens).toBe(tok('Be brief and exact.' + 'later'));
  });

  it('returns the full answer but the real output count when max_tokens is smaller', async () => {
    const prompt = 'y'.repeat(80);
    const r = await anthropic().messages.create({ model: 'claude-test', max_tokens: 2, messages: [{ role: 'user', content: prompt }] });
    expect(r.content).toEqual([{ type: 'text', text: 'A:' + prompt }]);
    expect(r.usage.output_tokens).toBe(tok('A:' + prompt));
  });

  it('lists models in the Anthropic shape', async () => {
    const ids: string[] = [];
    for await (const m of anthropic().models.list()) ids.push(m.id);
    expect(ids).toContain('claude-stub');
  });

  it('rejects a request without max_tokens with a 400 in the Anthropic error shape', async () => {
    const r = await raw('POST', '/v1/messages', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, { 'anthropic-version': '2023-06-01' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } });
  });
});

describe.each<Wire>(['openai', 'anthropic'])('errors surface as SDK error classes (%s)', (wire) => {
  const E = wire === 'openai' ? OpenAI : Anthropic;

  it('429 -> RateLimitError with retry-after (and retry-after-ms when set)', async () => {
    stub.configure({ rate429: 1, retryAfterSeconds: 3, retryAfterMs: 2500 });
    const e: any = await ask(wire, 'p').catch((x) => x);
    expect(e).toBeInstanceOf(E.RateLimitError);
    expect(e.status).toBe(429);
    expect(e.headers.get('retry-after')).toBe('3');
    expect(e.headers.get('retry-after-ms')).toBe('2500');
    if (wire === 'openai') expect(e.code).toBe('rate_limit_exceeded');
    else expect(e.type).toBe('rate_limit_error');
    expect(stub.stats().byStatus).toEqual({ '429': 1 });
  });

  it('500 -> InternalServerError', async () => {
    stub.configure({ rate500: 1 });
    const e: any = await ask(wire, 'p').catch((x) => x);
    expect(e).toBeInstanceOf(E.InternalServerError);
    expect(e.status).toBe(500);
    expect(e.error).toMatchObject(wire === 'openai' ? { type: 'server_error' } : { type: 'error', error: { type: 'api_error' } });
  });

  it('forced 401 -> AuthenticationError, 404 -> NotFoundError, 400 -> BadRequestError, 403 -> PermissionDeniedError', async () => {
    const cases = [[401, E.AuthenticationError], [404, E.NotFoundError], [400, E.BadRequestError], [403, E.PermissionDeniedError]] as const;
    for (const [status, cls] of cases) {
      stub.configure({ status });
      const e: any = await ask(wire, 'p').catch((x) => x);
      expect(e, String(status)).toBeInstanceOf(cls);
      expect(e.status).toBe(status);
    }
    stub.configure({ status: 0 });
    expect(await ask(wire, 'p')).toBe('A:p');
  });

  it('requireKey: a wrong key gets AuthenticationError, the right key is answered', async () => {
    stub.configure({ requireKey: 'right-key' });
    const e: any = await ask(wire, 'p', { apiKey: 'wrong-key' }).catch((x) => x);
    expect(e).toBeInstanceOf(E.AuthenticationError);
    if (wire === 'anthropic') expect(e.type).toBe('authentication_error');
    expect(await ask(wire, 'p', { apiKey: 'right-key' })).toBe('A:p');
    if (wire === 'anthropic') {
      const body = { model: 'm', max_tokens: 9, messages: [{ role: 'user', content: 'k' }] };
      expect((await raw('POST', '/v1/messages', body, { 'x-api-key': 'right-key' })).status).toBe(200);
      const bad = await raw('POST', '/v1/messages', body, { 'x-api-key': 'nope' });
      expect(bad.status).toBe(401);
      expect(bad.json.error.type).toBe('authentication_error');
    }
  });

  it('failPrompts: matching prompts always get BadRequestError, others are answered', async () => {
    stub.configure({ failPrompts: ['poison'] });
    for (let i = 0; i < 2; i++) await expect(ask(wire, 'a poison pill')).rejects.toBeInstanceOf(E.BadRequestError);
    expect(await ask(wire, 'fine')).toBe('A:fine');
    stub.configure({ failPromptsStatus: 422 });
    await expect(ask(wire, 'poison')).rejects.toMatchObject({ status: 422 });
  });

  it('dropped connection -> APIConnectionError, counted as dropped', async () => {
    stub.configure({ rateDrop: 1 });
    const e: any = await ask(wire, 'p').catch((x) => x);
    expect(e).toBeInstanceOf(E.APIConnectionError);
    const s = stub.stats();
    expect(s.dropped).toBe(1);
    expect(s.byStatus).toEqual({});
    expect(s.paid).toBe(0);
  });

  it('hang: the request never answers (the client times out)', async () => {
    stub.configure({ hang: true });
    const t0 = Date.now();
    const e: any = await ask(wire, 'p', { timeout: 300 }).catch((x) => x);
    expect(e).toBeInstanceOf(E.APIConnectionTimeoutError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(stub.stats().byStatus).toEqual({});
  });

  it('failFirst: the first N attempts per prompt fail; the SDK retries and then succeeds (paid once)', async () => {
    stub.configure({ failFirst: 2, failStatus: 429, retryAfterMs: 1 });
    expect(await ask(wire, 'retry me', { maxRetries: 2 })).toBe('A:retry me');
    expect(await ask(wire, 'retry me')).toBe('A:retry me'); // attempts are per prompt: 3rd+ succeed
    const other: any = await ask(wire, 'another').catch((x) => x);
    expect(other).toBeInstanceOf(E.RateLimitError);
    const s = stub.stats();
    expect(s.byStatus).toEqual({ '429': 3, '200': 2 });
    expect(stub.paidCount('retry me')).toBe(2);
  });

  it('failFirst defaults to 500s', async () => {
    stub.configure({ failFirst: 1 });
    await expect(ask(wire, 'q')).rejects.toBeInstanceOf(E.InternalServerError);
    expect(await ask(wire, 'q')).toBe('A:q');
  });
});

describe('latency, concurrency, keep-alive', () => {
  it('delays every answer by latencyMs, changeable at runtime', async () => {
    stub.configure({ latencyMs: 200 });
    let t0 = Date.now();
    expect(await ask('openai', 'slow')).toBe('A:slow');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    stub.configure({ latencyMs: 0 });
    t0 = Date.now();
    await ask('anthropic', 'fast');
    expect(Date.now() - t0).toBeLessThan(150);
  });

  it('tracks inFlight and maxInFlight', async () => {
    stub.configure({ latencyMs: 150 });
    const client = openai();
    const pending = Array.from({ length: 6 }, (_, i) => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: `c${i}` }] }));
    await new Promise((r) => setTimeout(r, 75));
    expect(stub.stats().inFlight).toBe(6);
    await Promise.all(pending);
    const s = stub.stats();
    expect(s.inFlight).toBe(0);
    expect(s.maxInFlight).toBe(6);
  });

  it('keeps connections alive between requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () => new Promise<{ reused: boolean; keepAlive: string | undefined }>((resolve, reject) => {
      const req = http.get(stub.url + '/v1/models', { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ reused: req.reusedSocket, keepAlive: res.headers['keep-alive'] as string | undefined }));
      });
      req.on('error', reject);
    });
    const a = await get();
    const b = await get();
    agent.destroy();
    expect(a.reused).toBe(false);
    expect(a.keepAlive).toBe('timeout=65');
    expect(b.reused).toBe(true);
  });
});

describe('fault injection by seeded PRNG', () => {
  async function statuses(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      out.push((await raw('POST', '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: `r${i}` }] })).status);
    }
    return out;
  }

  it('is reproducible for a seed and approximately honours the rates', async () => {
    stub.configure({ rate429: 0.3, rate500: 0.2, seed: 42 });
    const first = await statuses(300);
    stub.reset(); // reseeds
    const again = await statuses(300);
    expect(again).toEqual(first);
    stub.configure({ seed: 43 });
    expect(await statuses(300)).not.toEqual(first);
    const frac = (s: number) => first.filter((x) => x === s).length / first.length;
    expect(frac(429)).toBeGreaterThan(0.22);
    expect(frac(429)).toBeLessThan(0.38);
    expect(frac(500)).toBeGreaterThan(0.13);
    expect(frac(500)).toBeLessThan(0.27);
  });
});

describe('stats', () => {
  it('counts requests, statuses, paid answers, duplicates, models, and redacts the last request', async () => {
    await ask('openai', 'one');
    await ask('openai', 'one');
    await ask('anthropic', 'two');
    stub.configure({ status: 400 });
    await ask('anthropic', 'three').catch(() => {});
    stub.configure({ status: 0 });
    const s = stub.stats();
    expect(s.requests).toBe(4);
    expect(s.byStatus).toEqual({ '200': 3, '400': 1 });
    expect(s.paid).toBe(3);
    expect(s.paidByPrompt).toEqual({ one: 2, two: 1 });
    expect(s.duplicates).toBe(1);
    expect(s.models).toEqual({ 'gpt-test': 2, 'claude-test': 2 });
    expect(stub.paidCount('one')).toBe(2);
    expect(stub.paidCount('three')).toBe(0);
    expect(s.lastRequest?.path).toBe('/v1/messages');
    expect(s.lastRequest?.headers.authorization).toBe('***'); // the Anthropic SDK sends its key as a Bearer token
    expect(s.lastRequest?.body).toMatchObject({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'three' }] });
    await raw('POST', '/v1/messages', { model: 'm', max_tokens: 9, messages: [{ role: 'user', content: 'four' }] }, { 'x-api-key': 'secret-xyz' });
    expect(stub.stats().lastRequest?.headers['x-api-key']).toBe('***');
    expect(JSON.stringify(stub.stats())).not.toContain('secret-xyz');
    await ask('openai', 'five');
    expect(stub.stats().lastRequest?.headers.authorization).toBe('***');
    expect(JSON.stringify(stub.stats())).not.toContain('sk-test');
    expect(stub.stats({ prompts: false }).paidByPrompt).toEqual({});
  });

  it('reset clears stats and failFirst attempts', async () => {
    stub.configure({ failFirst: 1 });
    await ask('openai', 'z').catch(() => {});
    expect(await ask('openai', 'z')).toBe('A:z');
    stub.reset();
    expect(stub.stats()).toMatchObject({ requests: 0, byStatus: {}, paid: 0, paidByPrompt: {}, duplicates: 0, models: {}, lastRequest: null, maxInFlight: 0 });
    await expect(ask('openai', 'z')).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('uses the answer override', async () => {
    stub.configure({ answer: (p) => p.toUpperCase() });
    expect(await ask('openai', 'shout')).toBe('SHOUT');
    expect(await ask('anthropic', 'shout')).toBe('SHOUT');
  });
});

describe('HTTP errors independent of options', () => {
  it('unknown path -> NotFoundError (e.g. an OpenAI baseURL without /v1)', async () => {
    const e: any = await openai({ baseURL: stub.url }).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.message).toContain('/chat/completions');
  });
  it('invalid JSON and missing messages -> 400 in the OpenAI error shape', async () => {
    const a = await raw('POST', '/v1/chat/completions', '{not json');
    expect(a.status).toBe(400);
    expect(a.json).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: null } });
    const b = await raw('POST', '/v1/chat/completions', { model: 'm' });
    expect(b.status).toBe(400);
    expect(b.json.error.message).toContain('messages');
    expect(stub.stats().requests).toBe(2);
  });
});

describe('control endpoints', () => {
  it('POST /__config, GET /__stats, POST /__reset', async () => {
    const c = await raw('POST', '/__config', { status: 404, latencyMs: 5 });
    expect(c.status).toBe(200);
    expect(c.json).toMatchObject({ status: 404, latencyMs: 5 });
    const e: any = await ask('anthropic', 'm').catch((x) => x);
    expect(e).toBeInstanceOf(Anthropic.NotFoundError);
    expect(e.type).toBe('not_found_error');
    await raw('POST', '/__config', { status: null, latencyMs: 0 });
    expect(await ask('openai', 'ok')).toBe('A:ok');

    const s = await raw('GET', '/__stats');
    expect(s.json).toMatchObject({ requests: 2, byStatus: { '404': 1, '200': 1 }, paid: 1, paidByPrompt: { ok: 1 } });
    const slim = await raw('GET', '/__stats?prompts=0');
    expect(slim.json.paidByPrompt).toEqual({});
    expect(slim.json.paid).toBe(1);

    expect((await raw('POST', '/__reset')).json).toEqual({ ok: true });
    expect((await raw('GET', '/__stats')).json).toMatchObject({ requests: 0, paid: 0, byStatus: {} });
    expect((await raw('GET', '/__nope')).status).toBe(404);
    expect((await raw('POST', '/__config', '{bad')).status).toBe(400);
  });
});

describe('lifecycle', () => {
  it('close() resolves promptly with hung requests and idle keep-alive sockets', async () => {
    const s = await startStub({ hang: true });
    const agent = new http.Agent({ keepAlive: true });
    const hung = fetch(s.url + '/v1/chat/completions', { method: 'POST', body: '{}' }).catch((x) => x);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.stats().inFlight).toBe(1);
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await hung).toBeInstanceOf(Error);
    agent.destroy();
  });

  it('main.ts prints its URL, honours flags, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/stub/main.ts', '--latency', '20', '--rate429', '1', '--retry-after', '4', '--seed', '9'], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    try {
      const lines = createInterface({ input: child.stdout! });
      const [line] = (await once(lines, 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      expect(Object.keys(JSON.parse(line))).toEqual(['url']);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const cfg = await (await fetch(url + '/__config')).json();
      expect(cfg).toMatchObject({ latencyMs: 20, rate429: 1, retryAfterSeconds: 4, seed: 9 });
      const client = new OpenAI({ apiKey: 'k', baseURL: url + '/v1', maxRetries: 0 });
      const e: any = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.RateLimitError);
      expect(e.headers.get('retry-after')).toBe('4');
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
