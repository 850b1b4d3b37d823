import { UsageError } from './errors.js';
import { credentialParameters, looksLikeKey, maskURL, maskURLText, redactSecrets } from './redact.js';

/** Free text a job stores as typed (in its record, shown by `status` and `list`, in a commit), by flag. */
export interface StoredText {
  /** `--name`. */
  name?: string;
  /** `--commit-message`. */
  commitMessage?: string;
  /** `--target-branch`. */
  targetBranch?: string;
  /** `--target-column` (also a column name in the output). */
  targetColumn?: string;
  /** `--s3-endpoint`: a URL, stored with the job for `resume`. */
  s3Endpoint?: string;
}

const FLAGS: Record<Exclude<keyof StoredText, 's3Endpoint'>, string> = {
  name: '--name', commitMessage: '--commit-message', targetBranch: '--target-branch', targetColumn: '--target-column',
};

/** A git object id (SHA-1 or SHA-256) is at home in a name or commit message, and is not a key. */
const GIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * `text` with every credential-looking token (the values of the key variables, `sk-…`, long
 * mixed tokens; see `looksLikeKey`) replaced by `***`, git object ids left as they are.
 */
export function maskStoredText(text: string, env: NodeJS.ProcessEnv): string {
  return redactSecrets(text, env).replace(/[A-Za-z0-9_-]{20,}/g, (token) => (looksLikeKey(token) && !GIT_ID.test(token) ? '***' : token));
}

/**
 * Refuses, in one line that shows the value masked, free text that would store a key with the
 * job, as `--model` and the base URL are refused. Called before anything is written.
 */
export function refuseStoredKeys(text: StoredText, env: NodeJS.ProcessEnv): void {
  for (const [field, flag] of Object.entries(FLAGS) as [keyof typeof FLAGS, string][]) {
    const value = text[field];
    if (value === undefined) continue;
    const masked = maskStoredText(value, env);
    if (masked === value) continue;
    const shown = masked.length > 60 ? `${masked.slice(0, 60)}…` : masked;
    throw new UsageError(`${flag} "${shown}" holds what looks like an API key, and evalctl stores ${flag} with the job.`, `Leave the key out of ${flag}; keys go in OPENAI_API_KEY or ANTHROPIC_API_KEY.`);
  }
  if (text.s3Endpoint) checkEndpoint(text.s3Endpoint);
}

function checkEndpoint(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL: the store's client refuses it when the endpoint is used, and a key-looking one is masked there.
    if (maskURLText(value) !== value) throw new UsageError(`--s3-endpoint "${maskURLText(value)}" is not a valid URL.`, 'Give a full URL such as http://localhost:9000.');
    return;
  }
  const parameters = credentialParameters(url);
  if (url.username || url.password || parameters.length > 0) {
    throw new UsageError(`--s3-endpoint ${maskURL(url)} has credentials in it, and evalctl stores the endpoint with the job.`, 'Give the endpoint alone; S3 credentials go in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.');
  }
}
