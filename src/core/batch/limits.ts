import { UsageError } from '../errors.js';

/** How much one provider batch may hold. */
export interface BatchLimits {
  requests: number;
  bytes: number;
}

/** The providers' published limits: OpenAI 50,000 requests and 200 MB a file; Anthropic 100,000 requests and 256 MB. */
export const PROVIDER_LIMITS: Readonly<Record<'openai' | 'anthropic', BatchLimits>> = {
  openai: { requests: 50_000, bytes: 200 * 1024 * 1024 },
  anthropic: { requests: 100_000, bytes: 256 * 1024 * 1024 },
};

/**
 * The limits to split by: the provider's, lowered by `EVALCTL_BATCH_MAX_REQUESTS` and
 * `EVALCTL_BATCH_MAX_BYTES` (for tests, or an account with lower limits).
 */
export function batchLimits(provider: 'openai' | 'anthropic', env: NodeJS.ProcessEnv): BatchLimits {
  const base = PROVIDER_LIMITS[provider];
  return {
    requests: Math.min(base.requests, positive(env, 'EVALCTL_BATCH_MAX_REQUESTS') ?? Infinity),
    bytes: Math.min(base.bytes, positive(env, 'EVALCTL_BATCH_MAX_BYTES') ?? Infinity),
  };
}

/** How long to wait before polling the provider again: from `EVALCTL_BATCH_POLL_MS` (default 5 s), growing by half each time to 60 s. */
export function pollDelays(env: NodeJS.ProcessEnv): () => number {
  let delay = positive(env, 'EVALCTL_BATCH_POLL_MS') ?? 5000;
  const max = Math.max(delay, 60_000);
  return () => {
    const current = delay;
    delay = Math.min(max, Math.round(delay * 1.5));
    return current;
  };
}

function positive(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name} must be a whole number of at least 1, not "${raw}".`);
  return value;
}
