import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { JobRecord, JobStore } from '../jobs.js';
import { transition } from '../lifecycle.js';
import { endpointKey } from '../spec.js';
import { batchApi, batchCallError, type BatchApi } from './clients.js';
import { batchLimits, type BatchLimits } from './limits.js';
import type { BatchPhase, ProviderBatch } from './types.js';

/** Where a batch goes: a provider endpoint, and a model of it (for its key's lookup). */
export interface BatchEndpoint {
  provider: 'openai' | 'anthropic';
  base_url: string | null;
  model: string;
}

/** What a request line is filed under: one batch set per (key) — endpoint, URL and phase. */
export interface BatchTarget {
  /** Requests with the same key go in the same batches (one endpoint, one URL, one phase). */
  key: string;
  endpoint: BatchEndpoint;
  /** OpenAI: the URL the batch's requests go to (default chat completions). */
  url?: string;
  /** Absent for answers; the judging phase the batch's verdicts belong to. */
  phase?: BatchPhase;
}

/** One batch being filled: its request file, and how much it holds. */
interface OpenBatch {
  path: string;
  fd: number;
  requests: number;
  bytes: number;
  target: BatchTarget;
}

/**
 * Fills request files and sends each as a provider batch as soon as it is full (the provider's
 * request and byte limits), so a job of any size holds one line at a time. Each batch is in the
 * job record as soon as the provider has it: a crash never loses track of a paid batch.
 */
export class BatchSender {
  private readonly apis = new Map<string, BatchApi>();
  private readonly limits = new Map<string, BatchLimits>();
  private readonly open = new Map<string, OpenBatch>();
  private sequence: number;
  private readonly folder: string;

  constructor(private readonly store: JobStore, public job: JobRecord, private readonly env: NodeJS.ProcessEnv) {
    this.folder = join(store.paths(job.id).dir, 'batches');
    this.sequence = job.batches?.length ?? 0;
  }

  /** Appends a request line to its target's open batch, sending that batch first when the line would not fit. */
  async write(target: BatchTarget, line: Buffer): Promise<void> {
    const max = this.limitsOf(target.endpoint);
    let batch = this.open.get(target.key);
    if (batch && (batch.requests + 1 > max.requests || batch.bytes + line.length > max.bytes)) {
      await this.send(target.key);
      batch = undefined;
    }
    if (!batch) {
      const path = join(this.folder, `next-${++this.sequence}.jsonl`);
      batch = { path, fd: openSync(path, 'w'), requests: 0, bytes: 0, target };
      this.open.set(target.key, batch);
    }
    writeSync(batch.fd, line);
    batch.requests += 1;
    batch.bytes += line.length;
  }

  /** The most bytes one batch file to this endpoint may hold: a longer request line cannot be sent. */
  maxBytes(endpoint: BatchEndpoint): number {
    return this.limitsOf(endpoint).bytes;
  }

  /** Sends every batch still open. */
  async flush(): Promise<void> {
    for (const key of [...this.open.keys()]) await this.send(key);
  }

  /** Drops the files of batches not sent (a submission cut short); resume writes them again. */
  dispose(): void {
    for (const batch of this.open.values()) { closeSync(batch.fd); rmSync(batch.path, { force: true }); }
    this.open.clear();
  }

  private async send(key: string): Promise<void> {
    const batch = this.open.get(key);
    if (!batch) return;
    const { endpoint, url, phase } = batch.target;
    let id: string;
    try {
      id = await this.apiOf(endpoint).create(batch.path, url);
    } catch (error) {
      const provider = endpoint.provider === 'anthropic' ? 'Anthropic' : 'OpenAI';
      throw batchCallError(`send ${batch.requests} ${phase ? 'judge ' : ''}requests to ${provider} as a batch`, undefined, error, `Check the API key and base URL, then \`evalctl resume ${this.job.id}\`: batches already sent are kept and not sent again.`);
    }
    this.open.delete(key);
    closeSync(batch.fd);
    const file = `${id}.jsonl`;
    renameSync(batch.path, join(this.folder, file));
    const entry: ProviderBatch = {
      endpoint: endpointKey(endpoint), provider: endpoint.provider, base_url: endpoint.base_url, id, status: 'submitted', ended: false,
      requests: batch.requests, counts: { processing: batch.requests, succeeded: 0, errored: 0, expired: 0, canceled: 0 },
      collected: false, file, submitted_at: new Date().toISOString(), ...(phase ? { phase } : {}),
    };
    this.job = transition(this.store, this.job, 'running', { batches: [...(this.job.batches ?? []), entry] });
  }

  private apiOf(endpoint: BatchEndpoint): BatchApi {
    const key = endpointKey(endpoint);
    let api = this.apis.get(key);
    if (!api) this.apis.set(key, (api = batchApi(endpoint, this.env)));
    return api;
  }

  private limitsOf(endpoint: BatchEndpoint): BatchLimits {
    const key = endpointKey(endpoint);
    let limits = this.limits.get(key);
    if (!limits) this.limits.set(key, (limits = batchLimits(endpoint.provider, this.env)));
    return limits;
  }
}
