// Wire formats of the stub LLM server: request parsing and response/error bodies
// for the OpenAI Chat Completions / Embeddings API and the Anthropic Messages API.
// Only what the real `openai` and `@anthropic-ai/sdk` clients need to parse.

export type Wire = 'openai' | 'anthropic';

/** What the stub keys answers and stats by. */
export interface Parsed {
  model: string;
  /** text of the LAST user message (text parts concatenated) */
  prompt: string;
  /** system prompt text ('' when none) */
  system: string;
}

type Obj = Record<string, any>;

/** Text of a message content: a string, or an array of parts/blocks with a string `text`. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let s = '';
  for (const p of content) if (p && typeof p.text === 'string') s += p.text;
  return s;
}

export const tokens = (s: string): number => Math.ceil(s.length / 4);

function lastUser(messages: Obj[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') return textOf(messages[i].content) + imagesOf(messages[i].content) + videosOf(messages[i].content);
  }
  return '';
}

/**
 * The images in a message content, so answers show what arrived: '' without images, else
 * ` [images: <count> <kinds>]`, each kind a media type (base64 or data: URL) or `url`.
 * OpenAI parts `{type:'image_url', image_url:{url}}`; Anthropic blocks `{type:'image', source}`.
 */
export function imagesOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  const kinds: string[] = [];
  for (const p of content) {
    if (p?.type === 'image_url' && typeof p.image_url?.url === 'string') {
      const data = /^data:([^;,]+);base64,/.exec(p.image_url.url);
      kinds.push(data ? data[1] : 'url');
    } else if (p?.type === 'image' && p.source?.type === 'base64') kinds.push(String(p.source.media_type));
    else if (p?.type === 'image' && p.source?.type === 'url') kinds.push('url');
  }
  return kinds.length ? ` [images: ${kinds.length} ${kinds.join(',')}]` : '';
}

/**
 * The videos in an OpenAI message content (`{type:'video_url', video_url:{url}}`, as vLLM takes
 * them): '' without videos, else ` [videos: <count> <kinds>]`, each kind the data: URL's media
 * type or `url`.
 */
export function videosOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  const kinds: string[] = [];
  for (const p of content) {
    if (p?.type !== 'video_url' || typeof p.video_url?.url !== 'string') continue;
    const data = /^data:([^;,]+);base64,/.exec(p.video_url.url);
    kinds.push(data ? data[1] : 'url');
  }
  return kinds.length ? ` [videos: ${kinds.length} ${kinds.join(',')}]` : '';
}

function common(body: Obj | undefined): string | undefined {
  if (!body || typeof body !== 'object') return 'request body must be a JSON object';
  if (typeof body.model !== 'string' || body.model === '') return 'model: field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: must be a non-empty array';
  if (body.stream === true) return 'stream: streaming is not supported by the stub server';
  return undefined;
}

/** POST /v1/chat/completions body -> Parsed, or an error message (400). */
export function parseChat(body: Obj | undefined): Parsed | string {
  const err = common(body);
  if (err) return err;
  const msgs: Obj[] = body!.messages;
  let system = '';
  for (const m of msgs) if (m?.role === 'system' || m?.role === 'developer') system += textOf(m.content);
  return { model: body!.model, prompt: lastUser(msgs), system };
}

/** POST /v1/messages body -> Parsed, or an error message (400). */
export function parseMessages(body: Obj | undefined): Parsed | string {
  const err = common(body);
  if (err) return err;
  if (typeof body!.max_tokens !== 'number') return 'max_tokens: field required';
  return { model: body!.model, prompt: lastUser(body!.messages), system: textOf(body!.system) };
}

/** POST /v1/embeddings body -> inputs, or an error message (400). */
export function parseEmbeddings(body: Obj | undefined): { model: string; inputs: string[] } | string {
  if (!body || typeof body !== 'object') return 'request body must be a JSON object';
  if (typeof body.model !== 'string' || body.model === '') return 'model: field required';
  const input = body.input;
  let inputs: string[];
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input) && input.length > 0) {
    inputs = typeof input[0] === 'number' ? [JSON.stringify(input)] : input.map((x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x)));
  } else return "input: must be a string or a non-empty array";
  return { model: body.model, inputs };
}

/** `dimensions` (default 8) deterministic float32-exact values in [-1, 1) derived from the text. */
export function stubEmbedding(text: string, dimensions = 8): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  const next = mulberry32(h >>> 0);
  const out = new Array<number>(dimensions);
  for (let i = 0; i < dimensions; i++) out[i] = Math.fround(next() * 2 - 1);
  return out;
}

/** Small fast seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chatBody(n: number, model: string, answer: string, pt: number, ct: number): string {
  return JSON.stringify({
    id: `chatcmpl-stub${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: pt, completion_tokens: ct, total_tokens: pt + ct },
  });
}

export function messageBody(n: number, model: string, answer: string, pt: number, ct: number): string {
  return JSON.stringify({
    id: `msg_stub${n}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: answer }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: pt, output_tokens: ct },
  });
}

/** An Anthropic message answering with a tool call whose input is `json` parsed (a text block when it is not a JSON object). */
export function toolBody(n: number, model: string, json: string, pt: number, ct: number): string {
  let input: unknown;
  try { input = JSON.parse(json); } catch { input = undefined; }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return messageBody(n, model, json, pt, ct);
  return JSON.stringify({
    id: `msg_stub${n}`, type: 'message', role: 'assistant', model,
    content: [{ type: 'tool_use', id: `toolu_stub${n}`, name: 'answer', input }],
    stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: pt, output_tokens: ct },
  });
}

export function embeddingsBody(model: string, inputs: string[], base64: boolean, dimensions?: number): string {
  let pt = 0;
  const data = inputs.map((text, index) => {
    pt += tokens(text);
    const v = stubEmbedding(text, dimensions);
    const embedding = base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v;
    return { object: 'embedding', index, embedding };
  });
  return JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: pt, total_tokens: pt } });
}

export const STUB_MODELS = ['stub-model', 'gpt-4o-mini', 'claude-stub'];

export function modelBody(wire: Wire, id: string): Obj {
  return wire === 'anthropic'
    ? { type: 'model', id, display_name: id, created_at: '2024-01-01T00:00:00Z' }
    : { id, object: 'model', created: 1704067200, owned_by: 'stub' };
}

export function modelsBody(wire: Wire, ids: string[]): string {
  const data = ids.map((id) => modelBody(wire, id));
  return JSON.stringify(
    wire === 'anthropic'
      ? { data, has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null }
      : { object: 'list', data },
  );
}

const OPENAI_ERR: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_error', 'unsupported_country_region_territory'],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['requests', 'rate_limit_exceeded'],
  500: ['server_error', null],
};

const ANTHROPIC_ERR: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const DEFAULT_MSG: Record<number, string> = {
  400: 'Bad request (stub)',
  401: 'Incorrect API key provided (stub)',
  403: 'Permission denied (stub)',
  404: 'The requested model or resource does not exist (stub)',
  429: 'Rate limit reached (stub)',
  500: 'The server had an error while processing your request (stub)',
};

export function errorBody(wire: Wire, status: number, message?: string): string {
  const msg = message ?? DEFAULT_MSG[status] ?? `HTTP ${status} (stub)`;
  if (wire === 'anthropic') {
    const type = ANTHROPIC_ERR[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return JSON.stringify({ type: 'error', error: { type, message: msg } });
  }
  const [type, code] = OPENAI_ERR[status] ?? [status >= 500 ? 'server_error' : 'invalid_request_error', null];
  return JSON.stringify({ error: { message: msg, type, param: null, code } });
}
