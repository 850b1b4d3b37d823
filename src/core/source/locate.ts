import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { maskURL } from '../redact.js';
import { isPattern } from './glob.js';
import type { HttpTarget } from './http.js';
import type { S3Target } from './s3.js';

/** Where a table comes from, as the `<source>` argument names it. */
export type Location =
  | { readonly kind: 'file'; readonly path: string }
  /** A local glob (`data/*.parquet`, `data/**\/*.csv`) or a folder: several files, one table. */
  | { readonly kind: 'files'; readonly pattern: string }
  /** An S3 key pattern (`s3://bucket/prefix/*.parquet`); `target.key` is the pattern. */
  | { readonly kind: 's3-glob'; readonly target: S3Target }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'http'; readonly target: HttpTarget; readonly name: string }
  | { readonly kind: 's3'; readonly target: S3Target; readonly name: string };

export const SUPPORTED_SOURCES = 'a local path, - (stdin), http://, https://, s3://bucket/key, hf://datasets/<owner>/<name>/<path>, file://';

export interface LocateOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** `--s3-endpoint`; else `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`. */
  readonly s3Endpoint?: string | null;
}

/**
 * Reads the `<source>` argument. `hf://datasets/<owner>/<name>[@revision]/<path>` resolves as the
 * Hugging Face tools do: `<HF_ENDPOINT>/datasets/<owner>/<name>/resolve/<revision>/<path>`
 * (endpoint https://huggingface.co, revision main), with `HF_TOKEN` as a Bearer token.
 *
 * @example locateSource('s3://bucket/data/a.parquet', { cwd, env }) // { kind: 's3', target: { bucket: 'bucket', key: 'data/a.parquet', ... } }
 */
export function locateSource(source: string, options: LocateOptions): Location {
  if (source === '-') return { kind: 'stdin' };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
  if (scheme === undefined) return fileLocation(resolve(options.cwd, source));
  switch (scheme) {
    case 'file': return fileLocation(fileURLToPath(source));
    case 'http': case 'https': return httpLocation(source);
    case 's3': return s3Location(source, options);
    case 'hf': return hfLocation(source, options.env);
  }
  throw new UsageError(`Cannot read ${scheme}:// sources (${maskText(source)}).`, `Give ${SUPPORTED_SOURCES}.`);
}

function fileLocation(path: string): Location {
  return isPattern(path) || statSync(path, { throwIfNoEntry: false })?.isDirectory() ? { kind: 'files', pattern: path } : { kind: 'file', path };
}

function httpLocation(source: string): Location {
  const url = parseURL(source);
  const headers: Record<string, string> = {};
  // fetch refuses URLs with user info: it travels as Basic authentication instead.
  if (url.username || url.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  const label = maskURL(url);
  url.username = '';
  url.password = '';
  return {
    kind: 'http',
    target: { url: url.href, headers, label, authHint: 'The server wants credentials: put them in the URL (https://user:password@host/...) or a signed link.' },
    name: lastSegment(url.pathname),
  };
}

function s3Location(source: string, options: LocateOptions): Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/i.exec(source);
  if (!match) throw new UsageError(`${source} is not an S3 object URL.`, 'Write it as s3://bucket/key, e.g. s3://my-bucket/data/reviews.parquet.');
  const endpoint = options.s3Endpoint || options.env.AWS_ENDPOINT_URL_S3 || options.env.AWS_ENDPOINT_URL || null;
  if (endpoint !== null) parseURL(endpoint);
  const target = { bucket: match[1], key: match[2], endpoint, label: `s3://${match[1]}/${match[2]}` };
  return isPattern(match[2]) ? { kind: 's3-glob', target } : { kind: 's3', target, name: lastSegment(match[2]) };
}

function hfLocation(source: string, env: NodeJS.ProcessEnv): Location {
  const match = /^hf:\/\/datasets\/([^/]+)\/([^/@]+)(?:@([^/]+))?\/(.+)$/i.exec(source);
  if (!match) {
    throw new UsageError(`${source} is not a Hugging Face dataset file.`, 'Write it as hf://datasets/<owner>/<name>/<path>, e.g. hf://datasets/stanfordnlp/imdb/plain_text/test-00000-of-00001.parquet.');
  }
  const [, owner, name, revision = 'main', path] = match;
  const endpoint = (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
  const url = `${endpoint}/datasets/${owner}/${name}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
  const token = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  return {
    kind: 'http',
    target: {
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      label: source,
      authHint: token ? 'HF_TOKEN has no access to this dataset: accept its terms on the Hub, or use a token that can read it.' : 'A gated or private dataset: set HF_TOKEN to a Hugging Face access token.',
    },
    name: lastSegment(path),
  };
}

function parseURL(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new UsageError(`${maskText(text)} is not a valid URL.`, 'Check it for typos; quote it in the shell.');
  }
}

/** A URL-ish text with its credentials masked, even when it does not parse. */
function maskText(text: string): string {
  try {
    return maskURL(new URL(text));
  } catch {
    return text.replace(/\/\/[^/@]*@/, '//***@').replace(/([?&][^=&]*=)[^&]*/g, '$1***');
  }
}

function lastSegment(path: string): string {
  return decodeURIComponent(path.split('/').filter(Boolean).pop() ?? 'source');
}

/** True when `source` names a file on this machine (a path or file://), read where it is. */
export function isLocalSource(source: string): boolean {
  return source !== '-' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^file:\/\//i.test(source);
}
