import type { JsonSchema } from '../structured/schema.js';

/** The image types the providers take (sniffed from the bytes, see `sniffImage`). */
export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** An image in a prompt: a URL the provider fetches, or the bytes as base64. */
export type ImagePart =
  | { readonly type: 'image'; readonly url: string }
  | { readonly type: 'image'; readonly mediaType: ImageMediaType; readonly data: string };

/** The video types sniffed from the bytes (see `sniffVideo`). */
export type VideoMediaType = 'video/mp4' | 'video/webm' | 'video/x-matroska' | 'video/quicktime' | 'video/x-msvideo';

/** A video in a prompt (`--input-type video`, OpenAI-compatible servers only): a URL the server fetches, or the bytes as base64. */
export type VideoPart =
  | { readonly type: 'video'; readonly url: string }
  | { readonly type: 'video'; readonly mediaType: VideoMediaType; readonly data: string };

/** A piece of a prompt with media (`--input-type image` or `video`): text, an image or a video, in order. */
export type PromptPart = string | ImagePart | VideoPart;

/** What one row asks of a model. */
export interface CompletionRequest {
  readonly prompt: string;
  /** The prompt as text and images, when it has images; sent instead of `prompt`. */
  readonly parts?: readonly PromptPart[];
  /** The row asked for (image generation names its file after it). */
  readonly row?: number;
  readonly system?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Structured output: the answer is a JSON object of this schema (root: an object with properties). */
  readonly schema?: JsonSchema;
}

/** A model's answer with the usage the provider reported. */
export interface Completion {
  readonly text: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** A batch request's answers (embeddings: each vector as a JSON array), one per input, in order; `promptTokens` covers them all. */
  readonly texts?: readonly string[];
}

/** Many inputs in one request (embeddings). */
export interface EmbeddingRequest {
  readonly inputs: readonly string[];
  /** Vector length, for models that can shorten their vectors (text-embedding-3-*). */
  readonly dimensions?: number;
}

/** A provider that also takes several rows in one request: `embed` answers with `texts`, one vector per input. */
export interface BatchProvider extends Provider {
  embed(request: EmbeddingRequest, options: CallOptions): Promise<Completion>;
}

export interface CallOptions {
  /** Aborts the request (cancel, or the run stopping). */
  readonly signal: AbortSignal;
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number;
}

export type ProviderId = 'openai' | 'anthropic' | 'echo';

/**
 * One model behind one small interface. Providers make exactly one attempt per call (the SDKs'
 * own retries are off): the runner owns retries, backoff and concurrency, so it can cap waits
 * and adapt to rate limits. `classify` turns the provider's errors into a `Failure`.
 */
export interface Provider {
  readonly id: ProviderId;
  readonly model: string;
  complete(request: CompletionRequest, options: CallOptions): Promise<Completion>;
  classify(error: unknown): Failure;
  /**
   * `complete` removes every listener it adds to `options.signal` once it settles, so the runner
   * may hand it the run's own signal. Without this the runner links a new signal per request:
   * the SDKs never remove the abort listener they add.
   */
  readonly releasesSignal?: boolean;
}

export type FailureKind =
  | 'rate-limit' // 429: wait (retry-after) and slow down
  | 'server' // 408, 409, 5xx: retry with backoff
  | 'connection' // dropped or refused connection: retry with backoff
  | 'timeout' // no answer within --timeout: retry with backoff
  | 'auth' // 401, 403: stop the run
  | 'quota' // 429 insufficient_quota: the account is out of credit; stop the run
  | 'not-found' // 404 (unknown model, wrong base URL): stop the run
  | 'bad-request' // 400, 422: this row fails; stops the run if every early row fails so
  | 'bad-response' // a 200 with nothing usable (no choices, null content, not JSON): this row fails; stops the run if the first answers are all so
  | 'refusal' // the provider's content filter refused: this row fails, recorded as such
  | 'too-large' // the answer is over --max-answer-bytes: this row fails (it was paid for)
  | 'invalid-output' // the answer does not parse or match the schema: this row fails (paid for, its text kept in <target>_raw)
  | 'bad-input' // the row's input cannot be sent (an image or video missing, unreadable, of another kind, too large): this row fails, unsent
  | 'expired' // --batch-api: the provider's batch window ended before it processed the request; resume sends it again
  | 'aborted' // we cancelled it
  | 'other';

/** A failed attempt, normalized across providers. */
export interface Failure {
  readonly kind: FailureKind;
  readonly status?: number;
  /** From `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
  readonly retryAfterMs?: number;
  readonly message: string;
}
