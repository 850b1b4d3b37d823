import type { ResponseCache } from '../cache.js';
import type { ProviderError } from '../errors.js';
import type { Price } from '../pricing.js';
import type { CompletionRequest, PromptPart, Provider } from '../providers/types.js';
import type { RunSettings } from '../spec.js';
import type { Checked } from '../structured/validate.js';

// What the scheduler (runner.ts) is handed, and what it gives back.

/** One (row, variant) to send: the row number, the variant's index and its rendered prompt. */
export interface WorkItem {
  readonly row: number;
  readonly variant: number;
  readonly prompt: string;
  /** The prompt as text and images (`--input-type image`); `prompt` is then its text with each image as a hash, for the cache key. */
  readonly parts?: readonly PromptPart[];
  /** Why this row cannot be sent (an image missing or not an image): it fails as `bad-input`, unsent. */
  readonly error?: string;
  /** Several rows sent in one request (an embedding lane's batch, see `batchEmbeddings`); `row` and `prompt` are the first's. */
  readonly batch?: readonly { readonly row: number; readonly prompt: string }[];
}

/** One variant as the scheduler sees it: who answers, what is asked besides the prompt, at what price. */
export interface Lane {
  readonly provider: Provider;
  /** Everything but the prompt. */
  readonly request: Omit<CompletionRequest, 'prompt'>;
  readonly price?: Price;
  /** The cache key scope of this variant's answers (see `cacheScope`); undefined: answers may differ between identical prompts, so no cache and no dedupe. */
  readonly scope?: string;
  /** Whether this lane's answers are read from and written to the response cache. */
  readonly cache: boolean;
  /** Lanes with the same endpoint key share one concurrency limit and pacing. */
  readonly endpoint: string;
  /** Where the provider is, for messages: "the OpenAI API". */
  readonly endpointLabel: string;
  /** Checks each answer (a structured variant's schema); one that fails is a row failure of kind `invalid-output`, its text kept. */
  readonly check?: (text: string) => Checked;
  /** An embedding lane: its items are batches sent through `BatchProvider.embed`, each answer a vector. */
  readonly embedding?: { readonly dimensions?: number; readonly length?: number };
}

/** Time, injectable so the scheduler can be tested without waiting. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface RunnerOptions {
  readonly lanes: readonly Lane[];
  readonly settings: RunSettings;
  /** The response cache, for lanes with a scope. */
  readonly cache?: ResponseCache;
  readonly clock?: Clock;
  /** Answers over this many bytes are row failures of kind `too-large` (paid for, not kept). */
  readonly maxAnswerBytes?: number;
  /** Image bytes (base64) admitted pairs may hold before reading pauses; default MAX_IMAGE_BYTES. */
  readonly maxImageBytes?: number;
}

export type StopReason = 'completed' | 'cancelled' | 'budget' | 'fatal';

export interface RunResult {
  readonly stop: StopReason;
  readonly error?: ProviderError;
}
