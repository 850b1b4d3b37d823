// Stub LLM server for tests and benchmarks: speaks the OpenAI Chat Completions /
// Embeddings and Anthropic Messages wire formats on 127.0.0.1 (ephemeral port),
// answers deterministically with stubAnswer(prompt), and injects faults on demand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as W from './wire.js';
import { handleControl } from './control.js';
import { requestedSchema, schemaInPrompt, stubObject } from './structured.js';
import { createBatchApi, type BatchOptions, type BatchStats } from './batch.js';
import { imagesBody, parseImageRequest } from './images.js';

export { stubEmbedding } from './wire.js';
export { stubObject } from './structured.js';
export { stubImage, STUB_IMAGE_TOKENS } from './images.js';

/** The deterministic answer for a prompt (the text of the last user message). */
export const stubAnswer = (prompt: string): string => 'A:' + prompt;

export interface StubOptions extends BatchOptions {
  /** delay (ms) before answering each request; 0 = answer at once, no timer. Default 0. */
  latencyMs?: number;
  /** per-request probabilities (0..1) of a 429, a 500, or a dropped connection (no response). */
  rate429?: number;
  rate500?: number;
  rateDrop?: number;
  /** seed of the PRNG behind the rates (default 1); setting it reseeds. */
  seed?: number;
  /** `retry-after` header (seconds) on 429s. Default 1. */
  retryAfterSeconds?: number;
  /** when set, 429s also carry `retry-after-ms`. */
  retryAfterMs?: number;
  /** for each distinct prompt, the first N attempts fail with failStatus (default 500). */
  failFirst?: number;
  failStatus?: number;
  /** force every API request to answer with this HTTP status and a proper error body. */
  status?: number;
  /** a prompt containing one of these substrings always gets failPromptsStatus (default 400). */
  failPrompts?: string[];
  failPromptsStatus?: number;
  /** accept requests and never answer (sockets are destroyed by close()). */
  hang?: boolean;
  /** when set, requests whose Bearer token / x-api-key differs get 401. */
  requireKey?: string;
  /**
   * answer 200 with something unusable instead of the answer: `no-choices`, `null-content`,
   * `html` (a login page, text/html), `not-json` (JSON content type, broken body),
   * `content-filter` (a refusal). Only prompts containing one of `malformedPrompts`, when set.
   */
  malformed?: 'no-choices' | 'null-content' | 'html' | 'not-json' | 'content-filter';
  malformedPrompts?: string[];
  /** prompts containing one of `prompts` get an answer of `bytes` bytes ('x' repeated after the usual answer). */
  bigAnswer?: { bytes: number; prompts: string[] };
  /** answers include the API key the request carried, as a leaky server might echo it. */
  echoKey?: boolean;
  /** override of stubAnswer (in-process use only); with a schema, the text of the answer (JSON or not). */
  answer?: (prompt: string) => string;
  /** refuse requests with `response_format` (400 naming it), as servers without structured outputs do. */
  rejectResponseFormat?: boolean;
}

export interface StubStats {
  /** API requests received (control endpoints /__* excluded) */
  requests: number;
  byStatus: Record<string, number>;
  dropped: number;
  /** 200 answers to chat/messages and image-generation requests */
  paid: number;
  paidByPrompt: Record<string, number>;
  /** paidByPrompt split by the request's model: `paidByModel[model][prompt]` (empty with `{ prompts: false }`). */
  paidByModel: Record<string, Record<string, number>>;
  /** prompts answered 200 more than once */
  duplicates: number;
  /** 200 answers to embeddings requests (not in paid) */
  embeddings: number;
  inFlight: number;
  maxInFlight: number;
  models: Record<string, number>;
  lastRequest: { method: string; path: string; headers: Record<string, unknown>; body: unknown } | null;
  /** Provider batches created and cancelled, and the requests they held (see batch.ts). */
  batches: BatchStats;
}

export interface Stub {
  url: string;
  openaiBaseURL: string;
  anthropicBaseURL: string;
  port: number;
  configure(p: Partial<StubOptions>): void;
  /** snapshot; `{ prompts: false }` leaves paidByPrompt empty (cheap for huge runs) */
  stats(opts?: { prompts?: boolean }): StubStats;
  /** 200 answers handed out for `prompt`; with `model`, only those to requests for that model. */
  paidCount(prompt: string, model?: string): number;
  /** clears stats, failFirst attempt counters, and reseeds the PRNG */
  reset(): void;
  close(): Promise<void>;
}

interface Out { status: number; body: string; headers?: Record<string, string>; paid?: string; model?: string; emb?: boolean }
const DROP = 'drop' as const;
const JSON_CT = 'application/json';

export async function startStub(options: StubOptions = {}): Promise<Stub> {
  const o: StubOptions = {};
  let rand = W.mulberry32(1);
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let n = 0;
  let st = fresh();
  let paidBy = new Map<string, number>();
  let models = new Map<string, number>();
  let paidByModel = new Map<string, Map<string, number>>();

  function fresh() {
    return { requests: 0, byStatus: {} as Record<string, number>, dropped: 0, paid: 0, duplicates: 0, embeddings: 0, inFlight: 0, maxInFlight: 0, lastRequest: null as null | { method: string; path: string; headers: http.IncomingHttpHeaders; body: unknown } };
  }
  function configure(p: Partial<StubOptions>) {
    for (const [k, v] of Object.entries(p)) (o as any)[k] = v === null ? undefined : v;
    if ('seed' in p) rand = W.mulberry32(o.seed ?? 1);
    if ('failFirst' in p) attempts.clear();
  }
  function reset() {
    const inFlight = st.inFlight;
    st = fresh();
    st.inFlight = st.maxInFlight = inFlight;
    paidBy = new Map();
    models = new Map();
    paidByModel = new Map();
    attempts.clear();
    rand = W.mulberry32(o.seed ?? 1);
    batchApi.reset();
  }
  function stats(opts: { prompts?: boolean } = {}): StubStats {
    const lr = st.lastRequest;
    const headers: Record<string, unknown> = lr ? { ...lr.headers } : {};
    if (headers.authorization !== undefined) headers.authorization = '***';
    if (headers['x-api-key'] !== undefined) headers['x-api-key'] = '***';
    return {
      ...st,
      byStatus: { ...st.byStatus },
      paidByPrompt: opts.prompts === false ? {} : Object.fromEntries(paidBy),
      paidByModel: opts.prompts === false ? {} : Object.fromEntries([...paidByModel].map(([model, prompts]) => [model, Object.fromEntries(prompts)])),
      models: Object.fromEntries(models),
      lastRequest: lr && { method: lr.method, path: lr.path, headers, body: lr.body },
      batches: batchApi.stats(),
    };
  }
  configure({ seed: 1, ...options });

  // A batch result handed out counts as paid, like a 200 answer.
  function countPaid(prompt: string, model: string) {
    st.paid++;
    const c = (paidBy.get(prompt) ?? 0) + 1;
    paidBy.set(prompt, c);
    if (c === 2) st.duplicates++;
    let byPrompt = paidByModel.get(model);
    if (!byPrompt) paidByModel.set(model, byPrompt = new Map());
    byPrompt.set(prompt, (byPrompt.get(prompt) ?? 0) + 1);
  }
  const batchApi = createBatchApi({ options: () => o, paid: countPaid, rand: () => rand(), answer: (prompt) => (o.answer ?? stubAnswer)(prompt) });

  // The key may come as `Authorization: Bearer <key>` (OpenAI; also Anthropic SDK >= 1) or `x-api-key`.
  function hasKey(req: http.IncomingMessage, key: string): boolean {
    return req.headers.authorization === 'Bearer ' + key || req.headers['x-api-key'] === key;
  }

  // Every 429 (random, failFirst, forced) carries retry-after (+ retry-after-ms when set).
  function err(wire: W.Wire, status: number, msg?: string): Out {
    const out: Out = { status, body: W.errorBody(wire, status, msg) };
    if (status === 429) {
      out.headers = { 'retry-after': String(o.retryAfterSeconds ?? 1) };
      if (o.retryAfterMs !== undefined) out.headers['retry-after-ms'] = String(o.retryAfterMs);
    }
    return out;
  }

  // Decide the outcome of one API request (undefined = hang).
  function decide(req: http.IncomingMessage, path: string, raw: string): Out | typeof DROP | undefined {
    const wire: W.Wire = path === '/v1/messages' || req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
    if (/^\/v1\/(files|batches|messages\/batches)(\/|$)/.test(path)) {
      st.lastRequest = { method: req.method ?? 'GET', path, headers: req.headers, body: undefined };
      if (o.hang) return undefined;
      if (o.requireKey !== undefined && !hasKey(req, o.requireKey)) return err(wire, 401);
      if (o.status && o.status !== 200) return err(wire, o.status);
      return batchApi.route(req, path, raw, wire) ?? err(wire, 404, `Unknown request URL: ${req.method} ${path} (stub)`);
    }
    let body: any;
    if (raw.length > 0) {
      try { body = JSON.parse(raw); } catch { return err(wire, 400, 'request body is not valid JSON'); }
    }
    st.lastRequest = { method: req.method ?? 'GET', path, headers: req.headers, body };
    if (body && typeof body.model === 'string') models.set(body.model, (models.get(body.model) ?? 0) + 1);
    if (o.hang) return undefined;
    if (o.requireKey !== undefined && !hasKey(req, o.requireKey)) return err(wire, 401);
    if (o.status && o.status !== 200) {
      const m = o.status === 404 && body?.model ? `The model \`${body.model}\` does not exist (stub)` : undefined;
      return err(wire, o.status, m);
    }
    const method = req.method;
    let parsed: W.Parsed | string;
    let inputs: string[] | undefined;
    let image: { base64: boolean } | undefined;
    if (method === 'POST' && path === '/v1/chat/completions') parsed = W.parseChat(body);
    else if (method === 'POST' && path === '/v1/messages') parsed = W.parseMessages(body);
    else if (method === 'POST' && path === '/v1/embeddings') {
      const e = W.parseEmbeddings(body);
      if (typeof e === 'string') return err(wire, 400, e);
      inputs = e.inputs;
      parsed = { model: e.model, prompt: inputs.join('\n'), system: '' };
    } else if (method === 'POST' && path === '/v1/images/generations') {
      const g = parseImageRequest(body);
      if (typeof g === 'string') return err(wire, 400, g);
      image = g;
      parsed = { model: g.model, prompt: g.prompt, system: '' };
    } else if (method === 'GET' && path === '/v1/models') {
      return { status: 200, body: W.modelsBody(wire, [...new Set([...W.STUB_MODELS, ...models.keys()])]) };
    } else if (method === 'GET' && path.startsWith('/v1/models/')) {
      return { status: 200, body: JSON.stringify(W.modelBody(wire, decodeURIComponent(path.slice(11)))) };
    } else {
      return err(wire, 404, `Unknown request URL: ${method} ${path} (stub)`);
    }
    if (typeof parsed === 'string') return err(wire, 400, parsed);
    const prompt = parsed.prompt;

    if (o.failPrompts?.some((s) => prompt.includes(s))) return err(wire, o.failPromptsStatus ?? 400, 'prompt rejected by stub failPrompts');
    if (o.failFirst) {
      const a = (attempts.get(prompt) ?? 0) + 1;
      attempts.set(prompt, a);
      if (a <= o.failFirst) return err(wire, o.failStatus ?? 500, `stub failFirst: attempt ${a} of ${o.failFirst} fails`);
    }
    const r = rand();
    const pDrop = o.rateDrop ?? 0, p429 = o.rate429 ?? 0, p500 = o.rate500 ?? 0;
    if (r < pDrop) return DROP;
    if (r < pDrop + p429) return err(wire, 429);
    if (r < pDrop + p429 + p500) return err(wire, 500);

    if (image) return { status: 200, body: imagesBody(parsed.model, prompt, image.base64), paid: prompt, model: parsed.model };
    if (inputs) return { status: 200, body: W.embeddingsBody(parsed.model, inputs, body.encoding_format === 'base64', typeof body.dimensions === 'number' ? body.dimensions : undefined), emb: true };
    if (o.malformed && (!o.malformedPrompts || o.malformedPrompts.some((m) => prompt.includes(m)))) return malformedOut(wire, o.malformed, parsed.model);
    // Structured output: a JSON object from the schema (a forced tool's input on the Anthropic wire).
    const structured = requestedSchema(body);
    if (structured?.via === 'response_format' && o.rejectResponseFormat) return err(wire, 400, "Unsupported parameter: 'response_format' is not supported by this server (stub)");
    const inPrompt = structured ? undefined : schemaInPrompt(prompt);
    if (structured || inPrompt) {
      const json = o.answer ? o.answer(prompt) : JSON.stringify(stubObject(structured?.schema ?? inPrompt!.schema, inPrompt?.prompt ?? prompt));
      const text = inPrompt && !o.answer ? '```json\n' + json + '\n```' : json;
      const pt = W.tokens(parsed.system + prompt), ct = W.tokens(text);
      const out = structured?.via === 'tool' ? W.toolBody(++n, parsed.model, text, pt, ct) : path === '/v1/messages' ? W.messageBody(++n, parsed.model, text, pt, ct) : W.chatBody(++n, parsed.model, text, pt, ct);
      return { status: 200, body: out, paid: prompt, model: parsed.model };
    }
    let answer = (o.answer ?? stubAnswer)(prompt);
    if (o.bigAnswer?.prompts.some((m) => prompt.includes(m))) answer = answer.padEnd(o.bigAnswer.bytes, 'x');
    if (o.echoKey) answer += ` (key: ${String(req.headers['x-api-key'] ?? req.headers.authorization ?? '').replace(/^Bearer /, '')})`;
    const pt = W.tokens(parsed.system + prompt), ct = W.tokens(answer);
    const text = path === '/v1/messages' ? W.messageBody(++n, parsed.model, answer, pt, ct) : W.chatBody(++n, parsed.model, answer, pt, ct);
    return { status: 200, body: text, paid: prompt, model: parsed.model };
  }

  function malformedOut(wire: W.Wire, kind: NonNullable<StubOptions['malformed']>, model: string): Out {
    if (kind === 'html') return { status: 200, body: '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>', headers: { 'content-type': 'text/html' } };
    if (kind === 'not-json') return { status: 200, body: '{"choices": [' };
    if (wire === 'anthropic') {
      const body = kind === 'content-filter'
        ? { id: 'msg_x', type: 'message', role: 'assistant', model, content: [], stop_reason: 'refusal', usage: { input_tokens: 1, output_tokens: 0 } }
        : { id: 'msg_x', type: 'message', role: 'assistant', model, stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 0 } };
      return { status: 200, body: JSON.stringify(body) };
    }
    const message = kind === 'content-filter' ? { role: 'assistant', content: null, refusal: 'I cannot help with that.' } : { role: 'assistant', content: null, refusal: null };
    const choices = kind === 'no-choices' ? [] : [{ index: 0, message, finish_reason: kind === 'content-filter' ? 'content_filter' : 'stop' }];
    return { status: 200, body: JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion', created: 0, model, choices, usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 } }) };
  }

  function deliver(req: http.IncomingMessage, res: http.ServerResponse, out: Out | typeof DROP) {
    if (res.destroyed) return;
    if (out === DROP) { st.dropped++; req.socket.destroy(); return; }
    const key = String(out.status);
    st.byStatus[key] = (st.byStatus[key] ?? 0) + 1;
    // Paid only once the answer has actually been handed to the socket ('finish'): a client
    // that gave up (timeout, abort) before that never received it, so it was not paid for.
    const prompt = out.paid;
    if (prompt !== undefined) {
      res.once('finish', () => countPaid(prompt, out.model ?? ''));
    } else if (out.emb) st.embeddings++;
    const rid = `req_stub${++n}`;
    res.writeHead(out.status, { 'content-type': JSON_CT, ...out.headers, 'content-length': Buffer.byteLength(out.body), 'x-request-id': rid, 'request-id': rid, ...out.headers });
    res.end(out.body);
  }

  const api = { stats, reset, configure, options: () => o };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const isControl = path.startsWith('/__');
    if (!isControl) {
      st.requests++;
      if (++st.inFlight > st.maxInFlight) st.maxInFlight = st.inFlight;
      res.once('close', () => { st.inFlight--; });
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString();
      if (isControl) return handleControl(api, req, res, path, q < 0 ? '' : url.slice(q + 1), raw);
      const out = decide(req, path, raw);
      if (out === undefined) return; // hang
      const ms = o.latencyMs ?? 0;
      if (ms <= 0) return deliver(req, res, out);
      const t = setTimeout(() => { timers.delete(t); deliver(req, res, out); }, ms);
      timers.add(t);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url, port, openaiBaseURL: url + '/v1', anthropicBaseURL: url,
    configure, stats, reset,
    paidCount: (prompt, model) => (model === undefined ? paidBy.get(prompt) : paidByModel.get(model)?.get(prompt)) ?? 0,
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
