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
  /**
   * Absent for the answers' batches; `judge` or `pairwise` for a judging phase's (`custom_id`
   * `<row>-<lane>`, its results go to that phase's log), sent once the answers are collected.
   */
  phase?: BatchPhase;
}

/** The judging phase a batch's verdicts belong to. */
export type BatchPhase = 'judge' | 'pairwise';

/** Where a `--batch-api` job is: sending its requests (a process is alive), or waiting on the provider (none is). */
export type BatchState = 'submitting' | 'submitted';

/** A provider's answer to one request, matched back to its (row, variant) by `custom_id`. */
export type BatchResult =
  | { custom_id: string; type: 'succeeded'; text: string; promptTokens: number; completionTokens: number; /** An embeddings request's vectors (JSON arrays), one per input in order. */ texts?: string[] }
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

/**
 * `v<variant>:r<rows>`: an embeddings request, which carries several rows (`--batch-size`), the
 * rows as ranges (`v0:r0-9`, `v1:r3,5,7-9`).
 */
export function groupId(variant: number, rows: readonly number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === rows[j] + 1) j++;
    ranges.push(j > i ? `${rows[i]}-${rows[j]}` : `${rows[i]}`);
    i = j;
  }
  return `v${variant}:r${ranges.join(',')}`;
}

/** The (rows, variant) of a request's `custom_id`, either form: one row (`customId`) or several (`groupId`). */
export function requestRows(id: string): { rows: number[]; variant: number } | undefined {
  const pair = parseCustomId(id);
  if (pair) return { rows: [pair.row], variant: pair.variant };
  const match = /^v(\d+):r(\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)$/.exec(id);
  if (!match) return undefined;
  const rows: number[] = [];
  for (const range of match[2].split(',')) {
    const [a, b = a] = range.split('-').map(Number);
    for (let row = a; row <= b && rows.length <= 1_000_000; row++) rows.push(row);
  }
  return { rows, variant: Number(match[1]) };
}

/** The variants of a job grouped by endpoint: one batch set each. */
export function endpointGroups(spec: Pick<JobSpec, 'variants'>, key: (v: VariantSpec) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  spec.variants.forEach((v, i) => groups.set(key(v), [...(groups.get(key(v)) ?? []), i]));
  return groups;
}
