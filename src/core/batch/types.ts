import type { JobSpec, VariantSpec } from '../spec.js';

/** What a provider reports of one batch, in one shape for both wires. */
export interface BatchCounts {
  /** Requests not yet processed. */
  processing: number;
  succeeded: number;
  /** Requests the provider answered with an error. */
  errored: number;
  expired: number;
  canceled: number;
}

/**
 * One provider batch of a `--batch-api` job, as kept in the job record (`batches`). Its
 * requests are in `<job>/batches/<file>`, one line per (row, variant), `custom_id` `<row>-<variant>`.
 */
export interface ProviderBatch {
  /** `endpointKey` of the variants it serves. */
  endpoint: string;
  provider: 'openai' | 'anthropic';
  base_url: string | null;
  /** The provider's batch id (`batch_...`, `msgbatch_...`). */
  id: string;
  /** The provider's own status word (`in_progress`, `completed`, `ended`, `expired`, ...). */
  status: string;
  /** No request of it will be processed any more: its results can be read. */
  ended: boolean;
  requests: number;
  counts: BatchCounts;
  /** Its results are all in the answer log. */
  collected: boolean;
  /** The request file, under `<job>/batches/`. */
  file: string;
  submitted_at: string;
}

/** Where a `--batch-api` job is: sending its requests (a process is alive), or waiting on the provider (none is). */
export type BatchState = 'submitting' | 'submitted';

/** A provider's answer to one request, matched back to its (row, variant) by `custom_id`. */
export type BatchResult =
  | { custom_id: string; type: 'succeeded'; text: string; promptTokens: number; completionTokens: number }
  | { custom_id: string; type: 'failed'; kind: import('../providers/types.js').FailureKind; message: string }
  | { custom_id: string; type: 'canceled' };

/** `<row>-<variant>`: how a request is found again, whatever order the results come in. */
export function customId(row: number, variant: number): string {
  return `${row}-${variant}`;
}

export function parseCustomId(id: string): { row: number; variant: number } | undefined {
  const match = /^(\d+)-(\d+)$/.exec(id);
  return match ? { row: Number(match[1]), variant: Number(match[2]) } : undefined;
}

/** The variants of a job grouped by endpoint: one batch set each. */
export function endpointGroups(spec: Pick<JobSpec, 'variants'>, key: (v: VariantSpec) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  spec.variants.forEach((v, i) => groups.set(key(v), [...(groups.get(key(v)) ?? []), i]));
  return groups;
}
