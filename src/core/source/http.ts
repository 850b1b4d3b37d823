import { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import type { Opened, Opener, RemoteMeta } from './download.js';

/** An http(s) object to fetch: the URL without user info, and the headers carrying credentials. */
export interface HttpTarget {
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The URL as users see it (credentials masked). */
  readonly label: string;
  /** What to suggest on a 401/403. */
  readonly authHint: string;
}

/**
 * Opens an http(s) object from a byte offset. Redirects are followed (fetch drops the
 * Authorization header when one leads to another host, as the Hugging Face CDN expects);
 * a ranged request carries If-Range, so a changed object comes back whole (200), never spliced.
 */
export function httpOpener(target: HttpTarget): Opener {
  return async (offset, etag, signal): Promise<Opened> => {
    const headers: Record<string, string> = { ...target.headers };
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      if (etag) headers['if-range'] = etag;
    }
    const response = await fetch(target.url, { headers, redirect: 'follow', signal });
    if (response.status === 416 && offset > 0) {
      // The offset is past the end: the object shrank. Start again from scratch.
      await response.body?.cancel();
      return httpOpener(target)(0, null, signal);
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw refusal(target, response.status, response.statusText);
    }
    if (!response.body) throw new InputError(`Could not download ${target.label}: the server sent no body.`);
    const partial = response.status === 206;
    return { body: Readable.fromWeb(response.body as never), restarted: offset > 0 && !partial, meta: metaOf(response.headers, partial) };
  };
}

/** The object's ETag, Last-Modified and size as a HEAD request reports them now. */
export async function headHttp(target: HttpTarget, timeoutMs: number): Promise<RemoteMeta> {
  let response: Response;
  try {
    response = await fetch(target.url, { method: 'HEAD', headers: target.headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new InputError(`Could not reach ${target.label} to check it is unchanged: ${(error as Error).message}.`, 'Check the connection, then resume again.', error);
  }
  if (!response.ok) throw refusal(target, response.status, response.statusText);
  return metaOf(response.headers, false);
}

function metaOf(headers: Headers, partial: boolean): RemoteMeta {
  const range = /\/(\d+)\s*$/.exec(headers.get('content-range') ?? '');
  const length = headers.get('content-length');
  const size = partial ? (range ? Number(range[1]) : null) : length !== null && headers.get('content-encoding') === null ? Number(length) : null;
  return { etag: headers.get('etag'), last_modified: headers.get('last-modified'), size };
}

/** One line for a status the server will not change its mind about. */
function refusal(target: HttpTarget, status: number, statusText: string): InputError {
  const what = `${status}${statusText ? ` ${statusText}` : ''}`;
  if (status === 401 || status === 403) {
    return new InputError(`Could not download ${target.label}: ${what} (access denied).`, target.authHint);
  }
  if (status === 404 || status === 410) {
    return new InputError(`Could not download ${target.label}: ${what} (no such file).`, 'Check the URL.');
  }
  return new InputError(`Could not download ${target.label}: the server answered ${what}.`, 'Check the URL, or try again later.');
}
