// Batch endpoints of the stub server, in both wire formats, as the real SDKs call them
// (OpenAI batches to /v1/chat/completions or /v1/embeddings):
//   OpenAI:    POST /v1/files (multipart), GET /v1/files/:id, GET /v1/files/:id/content,
//              POST /v1/batches, GET /v1/batches, GET /v1/batches/:id, POST /v1/batches/:id/cancel
//   Anthropic: POST /v1/messages/batches, GET /v1/messages/batches, GET /v1/messages/batches/:id,
//              GET /v1/messages/batches/:id/results (JSONL at `results_url`), POST .../:id/cancel
// Scripted progress: each retrieve of a batch completes another share of its requests, and it
// ends after `batchPolls` retrieves. Requests whose prompt has a `failPrompts` string error (400),
// a `batchExpirePrompts` string expire; results come back shuffled (seeded).
import type http from 'node:http';
import { requestedSchema, stubObject } from './structured.js';
import * as W from './wire.js';

export interface BatchOptions {
  /** Retrieves of a batch before it ends (default 1); each completes an equal share of its requests. */
  batchPolls?: number;
  /** Batches with more requests than this are refused with a 400, as the providers refuse them. */
  batchMaxRequests?: number;
  /** Requests whose prompt contains one of these are never processed: they expire when the batch ends. */
  batchExpirePrompts?: string[];
}

export interface BatchStats {
  created: number;
  cancelled: number;
  /** Requests received in created batches, over all of them. */
  requests: number;
}

/** `schema`: the JSON Schema the request asks the answer to follow (response_format or a forced tool), as the live stub reads it. */
interface Request {
  custom_id: string; prompt: string; system: string; model: string; schema?: ReturnType<typeof requestedSchema>;
  /** An embeddings request's inputs (`prompt` is them joined by newlines) and `dimensions`. */
  inputs?: string[]; dimensions?: number;
}
interface BatchState {
  id: string;
  wire: W.Wire;
  endpoint: string;
  inputFileId: string | null;
  requests: Request[];
  /** Request indexes in the (shuffled) order the stub works through them. */
  order: number[];
  polls: number;
  cancelled: boolean;
  ended: boolean;
  created: number;
  /** Set once ended: the result lines, shuffled, and the counts. */
  output?: string;
  errors?: string;
  counts?: { succeeded: number; errored: number; expired: number; canceled: number };
}

export interface BatchContext {
  options(): BatchOptions & { failPrompts?: string[]; failPromptsStatus?: number; answer?: (prompt: string) => string; seed?: number };
  /** Counts a 200 answer to `prompt` for `model` in the stub's stats. */
  paid(prompt: string, model: string): void;
  rand(): number;
  answer(prompt: string): string;
}

export type BatchOut = { status: number; body: string; headers?: Record<string, string> };

export function createBatchApi(context: BatchContext) {
  const files = new Map<string, { content: string; filename: string; purpose: string }>();
  const batches = new Map<string, BatchState>();
  let n = 0;
  let stats: BatchStats = { created: 0, cancelled: 0, requests: 0 };

  const json = (status: number, body: unknown): BatchOut => ({ status, body: JSON.stringify(body) });
  const error = (wire: W.Wire, status: number, message: string): BatchOut => ({ status, body: W.errorBody(wire, status, message) });

  function route(req: http.IncomingMessage, path: string, raw: string, wire: W.Wire): BatchOut | undefined {
    const method = req.method;
    if (method === 'POST' && path === '/v1/files') return upload(req, raw);
    let m = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
    if (m && method === 'GET') {
      const file = files.get(m[1]);
      if (!file) return error('openai', 404, `No such File object: ${m[1]} (stub)`);
      return m[2] ? { status: 200, body: file.content, headers: { 'content-type': 'application/octet-stream' } } : json(200, fileObject(m[1], file));
    }
    if (path === '/v1/batches' && method === 'POST') return createOpenAI(raw);
    if (path === '/v1/messages/batches' && method === 'POST') return createAnthropic(raw);
    if ((path === '/v1/batches' || path === '/v1/messages/batches') && method === 'GET') {
      const data = [...batches.values()].filter((b) => b.wire === wire).reverse().map((b) => view(b));
      return json(200, wire === 'openai' ? { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false } : { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    }
    m = /^\/v1\/(?:messages\/)?batches\/([^/]+)(\/cancel|\/results)?$/.exec(path);
    if (!m) return undefined;
    const batch = batches.get(m[1]);
    if (!batch) return error(wire, 404, `No batch ${m[1]} (stub)`);
    if (m[2] === '/cancel' && method === 'POST') {
      if (!batch.ended && !batch.cancelled) { batch.cancelled = true; stats.cancelled++; }
      return json(200, view(batch));
    }
    if (m[2] === '/results' && method === 'GET') {
      if (!batch.ended) return error('anthropic', 400, `Batch ${batch.id} has not ended (stub)`);
      return { status: 200, body: batch.output ?? '', headers: { 'content-type': 'application/binary' } };
    }
    if (!m[2] && method === 'GET') {
      advance(batch);
      return json(200, view(batch, req.headers.host));
    }
    return undefined;
  }

  function upload(req: http.IncomingMessage, raw: string): BatchOut {
    const boundary = /boundary=("?)([^";]+)\1/.exec(String(req.headers['content-type']))?.[2];
    if (!boundary) return error('openai', 400, 'expected a multipart/form-data upload (stub)');
    const parts = new Map<string, { filename?: string; content: string }>();
    for (const part of raw.split(`--${boundary}`)) {
      const split = part.indexOf('\r\n\r\n');
      if (split < 0) continue;
      const head = part.slice(0, split);
      const name = /name="([^"]*)"/.exec(head)?.[1];
      if (name) parts.set(name, { filename: /filename="([^"]*)"/.exec(head)?.[1], content: part.slice(split + 4).replace(/\r\n$/, '') });
    }
    const file = parts.get('file');
    const purpose = parts.get('purpose')?.content;
    if (!file || purpose !== 'batch') return error('openai', 400, 'file and purpose=batch are required (stub)');
    const id = `file-stub${++n}`;
    files.set(id, { content: file.content, filename: file.filename ?? 'upload.jsonl', purpose });
    return json(200, fileObject(id, files.get(id)!));
  }

  function createOpenAI(raw: string): BatchOut {
    const body = parse(raw);
    const file = files.get(body?.input_file_id);
    if (!file) return error('openai', 400, `input_file_id ${body?.input_file_id} is not an uploaded file (stub)`);
    if (!['/v1/chat/completions', '/v1/embeddings'].includes(body.endpoint) || body.completion_window !== '24h') return error('openai', 400, 'endpoint must be /v1/chat/completions or /v1/embeddings and completion_window 24h (stub)');
    const requests: Request[] = [];
    for (const line of file.content.split('\n')) {
      if (!line.trim()) continue;
      const item = parse(line);
      if (body.endpoint === '/v1/embeddings') {
        const e = W.parseEmbeddings(item?.body);
        if (typeof e === 'string' || typeof item.custom_id !== 'string' || item.method !== 'POST' || item.url !== body.endpoint) return error('openai', 400, `bad batch line: ${typeof e === 'string' ? e : 'custom_id, method and url are required'} (stub)`);
        const dimensions = typeof item.body.dimensions === 'number' ? item.body.dimensions : undefined;
        requests.push({ custom_id: item.custom_id, prompt: e.inputs.join('\n'), system: '', model: e.model, inputs: e.inputs, ...(dimensions !== undefined ? { dimensions } : {}) });
        continue;
      }
      const parsed = W.parseChat(item?.body);
      if (typeof parsed === 'string' || typeof item.custom_id !== 'string' || item.method !== 'POST' || item.url !== body.endpoint) return error('openai', 400, `bad batch line: ${typeof parsed === 'string' ? parsed : 'custom_id, method and url are required'} (stub)`);
      requests.push({ custom_id: item.custom_id, ...parsed, schema: requestedSchema(item.body) });
    }
    return start('openai', body.endpoint, body.input_file_id, requests);
  }

  function createAnthropic(raw: string): BatchOut {
    const body = parse(raw);
    if (!Array.isArray(body?.requests) || body.requests.length === 0) return error('anthropic', 400, 'requests: must be a non-empty array (stub)');
    const requests: Request[] = [];
    for (const item of body.requests) {
      const parsed = W.parseMessages(item?.params);
      if (typeof parsed === 'string' || typeof item.custom_id !== 'string') return error('anthropic', 400, `bad batch request: ${typeof parsed === 'string' ? parsed : 'custom_id is required'} (stub)`);
      requests.push({ custom_id: item.custom_id, ...parsed, schema: requestedSchema(item.params) });
    }
    return start('anthropic', '/v1/messages', null, requests);
  }

  function start(wire: W.Wire, endpoint: string, inputFileId: string | null, requests: Request[]): BatchOut {
    const max = context.options().batchMaxRequests;
    if (max !== undefined && requests.length > max) return error(wire, 400, `A batch holds at most ${max} requests; this one has ${requests.length} (stub)`);
    if (new Set(requests.map((r) => r.custom_id)).size !== requests.length) return error(wire, 400, 'custom_id values must be unique within a batch (stub)');
    const id = wire === 'openai' ? `batch_stub${++n}` : `msgbatch_stub${++n}`;
    const batch: BatchState = { id, wire, endpoint, inputFileId, requests, order: shuffled(requests.length), polls: 0, cancelled: false, ended: false, created: Math.floor(Date.now() / 1000) };
    batches.set(id, batch);
    stats.created++;
    stats.requests += requests.length;
    return json(200, view(batch));
  }

  /** One retrieve: another share of the requests is done; the last one (or a cancel) ends the batch. */
  function advance(batch: BatchState): void {
    if (batch.ended) return;
    // A cancelled batch stops where it was: nothing more is processed.
    if (!batch.cancelled) batch.polls++;
    if (batch.cancelled || batch.polls >= (context.options().batchPolls ?? 1)) finish(batch);
  }

  function processed(batch: BatchState): Set<number> {
    const polls = context.options().batchPolls ?? 1;
    const share = batch.ended && !batch.cancelled ? batch.requests.length : Math.floor((batch.requests.length * Math.min(batch.polls, polls)) / polls);
    return new Set(batch.order.slice(0, share));
  }

  function finish(batch: BatchState): void {
    const o = context.options();
    const done = processed(batch);
    batch.ended = true;
    const counts = { succeeded: 0, errored: 0, expired: 0, canceled: 0 };
    const output: string[] = [];
    const errors: string[] = [];
    for (const i of batch.order) {
      const r = batch.requests[i];
      const expires = o.batchExpirePrompts?.some((s) => r.prompt.includes(s));
      if (!batch.cancelled && !expires) done.add(i);
      if (!done.has(i) || expires) {
        const kind = batch.cancelled && !expires ? 'canceled' : 'expired';
        counts[kind]++;
        if (batch.wire === 'anthropic') output.push(JSON.stringify({ custom_id: r.custom_id, result: { type: kind } }));
        else if (kind === 'expired') errors.push(JSON.stringify({ id: `batch_req_${++n}`, custom_id: r.custom_id, response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } }));
        continue;
      }
      if (o.failPrompts?.some((s) => r.prompt.includes(s))) {
        counts.errored++;
        const status = o.failPromptsStatus ?? 400;
        const message = 'prompt rejected by stub failPrompts';
        if (batch.wire === 'anthropic') output.push(JSON.stringify({ custom_id: r.custom_id, result: { type: 'errored', error: JSON.parse(W.errorBody('anthropic', status, message)) } }));
        else errors.push(JSON.stringify({ id: `batch_req_${++n}`, custom_id: r.custom_id, response: { status_code: status, request_id: `req_${n}`, body: JSON.parse(W.errorBody('openai', status, message)) }, error: null }));
        continue;
      }
      counts.succeeded++;
      if (r.inputs) {
        output.push(JSON.stringify({ id: `batch_req_${++n}`, custom_id: r.custom_id, response: { status_code: 200, request_id: `req_${n}`, body: JSON.parse(W.embeddingsBody(r.model, r.inputs, false, r.dimensions)) }, error: null }));
        continue;
      }
      // Structured output: the object the live stub builds from the schema (a forced tool's input on the Anthropic wire).
      const answer = r.schema && !o.answer ? JSON.stringify(stubObject(r.schema.schema, r.prompt)) : context.answer(r.prompt);
      const pt = W.tokens(r.system + r.prompt), ct = W.tokens(answer);
      context.paid(r.prompt, r.model);
      const message = r.schema?.via === 'tool' ? W.toolBody(++n, r.model, answer, pt, ct) : W.messageBody(++n, r.model, answer, pt, ct);
      if (batch.wire === 'anthropic') output.push(JSON.stringify({ custom_id: r.custom_id, result: { type: 'succeeded', message: JSON.parse(message) } }));
      else output.push(JSON.stringify({ id: `batch_req_${++n}`, custom_id: r.custom_id, response: { status_code: 200, request_id: `req_${n}`, body: JSON.parse(W.chatBody(n, r.model, answer, pt, ct)) }, error: null }));
    }
    batch.counts = counts;
    batch.output = output.map((line) => `${line}\n`).join('');
    batch.errors = errors.map((line) => `${line}\n`).join('');
    if (batch.wire === 'openai') {
      if (batch.output) files.set(`${batch.id}-output`, { content: batch.output, filename: 'output.jsonl', purpose: 'batch_output' });
      if (batch.errors) files.set(`${batch.id}-errors`, { content: batch.errors, filename: 'errors.jsonl', purpose: 'batch_output' });
    }
  }

  function view(batch: BatchState, host?: string): Record<string, unknown> {
    const total = batch.requests.length;
    const c = batch.counts;
    const done = processed(batch).size;
    if (batch.wire === 'anthropic') {
      return {
        id: batch.id, type: 'message_batch',
        processing_status: batch.ended ? 'ended' : batch.cancelled ? 'canceling' : 'in_progress',
        request_counts: c ? { processing: 0, succeeded: c.succeeded, errored: c.errored, canceled: c.canceled, expired: c.expired } : { processing: total - done, succeeded: done, errored: 0, canceled: 0, expired: 0 },
        results_url: batch.ended && host ? `http://${host}/v1/messages/batches/${batch.id}/results` : null,
        created_at: new Date(batch.created * 1000).toISOString(), expires_at: new Date((batch.created + 86400) * 1000).toISOString(),
        ended_at: batch.ended ? new Date().toISOString() : null, archived_at: null, cancel_initiated_at: batch.cancelled ? new Date().toISOString() : null,
      };
    }
    const status = !batch.ended ? (batch.cancelled ? 'cancelling' : 'in_progress') : batch.cancelled ? 'cancelled' : c!.expired ? 'expired' : 'completed';
    return {
      id: batch.id, object: 'batch', endpoint: batch.endpoint, input_file_id: batch.inputFileId, completion_window: '24h', status, created_at: batch.created,
      output_file_id: batch.ended && batch.output ? `${batch.id}-output` : null, error_file_id: batch.ended && batch.errors ? `${batch.id}-errors` : null,
      request_counts: { total, completed: c ? c.succeeded : done, failed: c ? c.errored + c.expired : 0 },
    };
  }

  function fileObject(id: string, file: { content: string; filename: string; purpose: string }) {
    return { id, object: 'file', bytes: Buffer.byteLength(file.content), created_at: Math.floor(Date.now() / 1000), filename: file.filename, purpose: file.purpose, status: 'processed' };
  }

  function shuffled(length: number): number[] {
    const order = Array.from({ length }, (_, i) => i);
    for (let i = length - 1; i > 0; i--) {
      const j = Math.floor(context.rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }

  return {
    route,
    stats: (): BatchStats => ({ ...stats }),
    reset: () => { stats = { created: 0, cancelled: 0, requests: 0 }; },
  };
}

function parse(raw: string): any {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
