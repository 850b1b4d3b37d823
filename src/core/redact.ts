/** The environment variables that hold API keys; their values are never shown or stored. */
export const KEY_VARIABLES = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' } as const;

/** Query parameters that carry credentials in a URL (compared case-insensitively). */
const CREDENTIAL_PARAMETERS = new Set([
  'api-key', 'api_key', 'apikey', 'key', 'token', 'access_token', 'sig', 'signature', 'password', 'secret',
  // Presigned S3 URLs (SigV4 and SigV2) and Azure SAS links.
  'x-amz-signature', 'x-amz-credential', 'x-amz-security-token', 'awsaccesskeyid', 'x-goog-signature',
]);

/**
 * Removes every known API key value from a text (error messages from servers can echo them):
 * the values of OPENAI_API_KEY and ANTHROPIC_API_KEY, and anything shaped like `sk-…`.
 *
 * @example redactSecrets('bad key sk-proj-abcdefghijklmnop') // 'bad key sk-proj-a***'
 */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const variable of Object.values(KEY_VARIABLES)) {
    const key = env[variable]?.trim();
    if (key && key.length >= 6) out = out.split(key).join('***');
  }
  return out.replace(/\b(sk-[A-Za-z0-9_-]{6})[A-Za-z0-9_*-]{10,}/g, '$1***');
}

/**
 * True for a value shaped like a credential: `sk-…` (OpenAI, Anthropic), or a token of 20+
 * characters of `[A-Za-z0-9_-]` with a run of 12+ letters and digits mixed. Model names and file
 * names (`claude-3-5-sonnet-20241022`, `reviews_2024_final`) are short words between separators.
 */
export function looksLikeKey(value: string): boolean {
  if (/^sk-[A-Za-z0-9_-]{10,}$/.test(value)) return true;
  if (!/^[A-Za-z0-9_-]{20,}$/.test(value)) return false;
  return value.split(/[-_]/).some((part) => part.length >= 12 && /[A-Za-z]/.test(part) && /\d/.test(part));
}

/**
 * `redactSecrets`, and every token that `looksLikeKey` replaced by `***`: for text that echoes
 * what a user typed (command-line values), where a key may be any string.
 */
export function redactKeys(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return redactSecrets(text, env).replace(/[A-Za-z0-9_-]{20,}/g, (token) => (looksLikeKey(token) ? '***' : token));
}

/**
 * The names of the credential-looking query parameters of `url` (`?api-key=…&sig=…`), in order.
 */
export function credentialParameters(url: URL): string[] {
  return [...url.searchParams.keys()].filter((name) => CREDENTIAL_PARAMETERS.has(name.toLowerCase()));
}

/** `url` as text with its user-info and credential-looking query values replaced by `***`. */
export function maskURL(url: URL): string {
  const masked = new URL(url.href);
  if (masked.username) masked.username = '***';
  if (masked.password) masked.password = '***';
  for (const name of credentialParameters(masked)) masked.searchParams.set(name, '***');
  // URLSearchParams encodes `*`; the mask reads better as typed.
  return masked.href.replaceAll('%2A', '*');
}

/**
 * A base URL as typed, for a message when it could not be parsed: anything after `?` or `#`, and
 * a `user:password@`, shown as `***` (they may hold a key).
 */
export function maskURLText(value: string): string {
  return value.replace(/[?#].*$/s, '?***').replace(/^([^/]*\/\/)[^/@]*@/, '$1***@');
}
