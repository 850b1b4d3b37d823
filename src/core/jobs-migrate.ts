import { JobError } from './errors.js';
import type { JobRecord } from './jobs.js';
import { migrateSettings, SCHEMA_VERSION } from './spec.js';

/**
 * A record as this version reads it. Records written by evalctl 0.1 (one model, settings flat,
 * no per-variant figures) become one-variant jobs; a record from a newer evalctl is refused.
 */
export function migrateRecord(raw: Record<string, any>, id: string): JobRecord {
  const version = raw?.settings?.schema_version;
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new JobError(`Job ${id} was written by a newer evalctl (job schema ${version}; this one reads up to ${SCHEMA_VERSION}).`, 'Upgrade evalctl to show or resume it.');
  }
  const settings = raw?.settings && typeof raw.settings === 'object' ? migrateSettings(raw.settings) : undefined;
  if (!settings || !raw.progress || typeof raw.status !== 'string') {
    throw new JobError(`Job ${id} has a damaged record (job.json is not what evalctl writes).`, 'Start a new job with `evalctl create`.');
  }
  if (version === SCHEMA_VERSION) return raw as JobRecord;
  const variant = settings.variants[0];
  return {
    ...raw,
    settings,
    rows: raw.progress.total,
    variants: [{
      name: variant.name,
      model: variant.model,
      processed: raw.progress.processed,
      failed_rows: raw.failed_rows ?? 0,
      cached_rows: raw.cached_rows ?? 0,
      prompt_tokens_used: raw.prompt_tokens_used ?? 0,
      completion_tokens_used: raw.completion_tokens_used ?? 0,
      tokens_used: raw.tokens_used ?? 0,
      cost_usd: raw.cost_usd ?? null,
      latency_ms: null,
    }],
    agreement: null,
  } as JobRecord;
}

