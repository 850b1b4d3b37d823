/** Live counters, updated in place as answers arrive; the progress display reads them. */
export interface RunProgress {
  /** Rows with an outcome (answer or final error), including earlier runs of the job. */
  processed: number;
  total: number;
  failed: number;
  cached: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  inFlight: number;
  concurrency: number;
  /** Set while some request waits to retry. */
  backoff?: { reason: string; until: number };
}
