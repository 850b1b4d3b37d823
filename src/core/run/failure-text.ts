import { ProviderError } from '../errors.js';
import type { Failure, Provider } from '../providers/types.js';

/** What failed attempts mean to the person running evalctl: row errors, progress notes, run-stopping errors. */

/** The text of a row's `<target>_error` once it has failed for good. */
export function rowError(failure: Failure, attempts: number, timeoutMs: number): string {
  const what = failure.kind === 'timeout' ? `no answer within ${timeoutMs / 1000}s (--timeout)` : failure.message;
  return attempts > 1 ? `${what} (gave up after ${attempts} attempts)` : what;
}

export function describe(failure: Failure): string {
  switch (failure.kind) {
    case 'rate-limit': return 'rate limited (429)';
    case 'server': return `server error (${failure.status})`;
    case 'connection': return 'connection dropped';
    case 'timeout': return 'request timed out';
    default: return failure.message;
  }
}

export function fatalError(failure: Failure, provider: Provider, endpoint: string, timeoutMs: number): ProviderError {
  const model = provider.model;
  const keyVariable = provider.id === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
  const status = failure.status;
  switch (failure.kind) {
    case 'quota':
      return new ProviderError(`${endpoint} says the account is out of quota: ${failure.message}`, { status, hint: 'Check the plan and billing of the account behind the API key, then resume the job.' });
    case 'auth':
      return new ProviderError(`${endpoint} refused the API key: ${failure.message}`, { status, hint: `Check ${keyVariable} and what the key is allowed to do.` });
    case 'not-found':
      return new ProviderError(`${endpoint} has no model "${model}" or no such endpoint: ${failure.message}`, { status, hint: 'Check --model, and --base-url (for Ollama: http://localhost:11434/v1).' });
    case 'connection':
      return new ProviderError(`Cannot reach ${endpoint}: ${failure.message}`, { hint: 'Check --base-url and that the server is running.' });
    case 'timeout':
      return new ProviderError(`${endpoint} did not answer the first requests within --timeout ${timeoutMs / 1000}s.`, { hint: 'Check that the server is up and serving the model; raise --timeout for slow models.' });
    case 'bad-response':
      return new ProviderError(`${endpoint} does not answer like an ${provider.id === 'anthropic' ? 'Anthropic' : 'OpenAI-compatible'} API: ${failure.message}.`, { hint: 'Check --base-url: it must point at the API itself (for OpenAI-compatible servers, the URL ending in /v1), not a web page or a login proxy.' });
    default:
      return new ProviderError(`${endpoint} rejected the first requests: ${failure.message}`, { status, hint: 'Check --model, --max-tokens, --temperature and --system for values this model does not accept.' });
  }
}

/** The breaker tripped: an endpoint failed attempt after attempt with no answer between. */
export function breakerError(failure: Failure, endpoint: string, failing: { attempts: number; seconds: number }): ProviderError {
  return new ProviderError(
    `${endpoint} failed ${failing.attempts} requests in a row over ${Math.round(failing.seconds)}s with no answer between (last: ${describe(failure)}); the run stopped rather than retry every row.`,
    { status: failure.status, hint: 'Answers so far are kept and written. Check the server, then `evalctl resume` the job.' },
  );
}
