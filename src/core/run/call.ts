import type { BatchProvider, Completion, CompletionRequest, Provider } from '../providers/types.js';
import type { RunProgress } from './progress.js';

/**
 * One request, inside a concurrency slot, counted in flight while it runs. Providers that
 * remove their abort listeners (`releasesSignal`) get the run's own signal; the others a signal
 * per request, linked to the run's: the SDKs never remove the abort listener they add, so one
 * long-lived signal would collect a listener (and a request) per call. Undefined when the run
 * has stopped already.
 */
export async function callProvider(
  provider: Provider,
  request: CompletionRequest,
  batch: { inputs: string[]; dimensions?: number } | undefined,
  run: AbortSignal,
  progress: Pick<RunProgress, 'inFlight'>,
  timeoutMs: number,
): Promise<Completion | undefined> {
  if (run.aborted) return undefined;
  const own = !batch && provider.releasesSignal;
  const controller = own ? undefined : new AbortController();
  const abort = () => controller!.abort();
  if (controller) run.addEventListener('abort', abort, { once: true });
  progress.inFlight += 1;
  try {
    const options = { signal: controller?.signal ?? run, timeoutMs };
    return await (batch ? (provider as BatchProvider).embed(batch, options) : provider.complete(request, options));
  } finally {
    progress.inFlight -= 1;
    if (controller) run.removeEventListener('abort', abort);
  }
}
