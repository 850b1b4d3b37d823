import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';

/** What a remote store says about the object, kept in the job to notice a change on resume. */
export interface RemoteMeta {
  etag: string | null;
  last_modified: string | null;
  /** Bytes, when the server tells. */
  size: number | null;
}

/** One response to an `open`: the body from `offset` (or, `restarted`, from byte 0). */
export interface Opened {
  readonly body: Readable;
  /** The server ignored the range (or the object changed under it) and sends the whole object. */
  readonly restarted: boolean;
  readonly meta: RemoteMeta;
}

/**
 * Opens the object from byte `offset` (0: the whole object). `etag` is the one the first response
 * carried: a ranged request is only honoured while the object still has it (If-Range / If-Match).
 * Throws an InputError for a refusal that retrying cannot fix (401, 403, 404).
 */
export type Opener = (offset: number, etag: string | null, signal: AbortSignal) => Promise<Opened>;

export interface DownloadOptions {
  /** The source as users see it in messages (credentials masked). */
  readonly label: string;
  /** Gives up on an attempt when no byte arrives for this long. */
  readonly idleTimeoutMs: number;
  /** Called as bytes arrive: bytes on disk, and the object's size when known. */
  readonly onProgress?: (received: number, total: number | null) => void;
  /** Interrupted attempts in a row (no byte gained) before giving up. */
  readonly attempts?: number;
}

/**
 * Streams a remote object to `destination` (never more than a stream buffer in memory). A body
 * cut short (a dropped connection, a server closing mid-body, a stall) is continued from the
 * bytes already on disk with a ranged request; a server that ignores ranges sends it all again.
 */
export async function download(open: Opener, destination: string, options: DownloadOptions): Promise<RemoteMeta> {
  const attempts = options.attempts ?? 5;
  let meta = null as RemoteMeta | null;
  let failures = 0;
  let lastError: unknown;
  for (;;) {
    const known: RemoteMeta | null = meta;
    const offset = known === null ? 0 : sizeOf(destination);
    if (known !== null && known.size !== null && offset === known.size) return known;
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => { timedOut = true; controller.abort(); }, options.idleTimeoutMs);
    };
    let received = offset;
    try {
      arm();
      const opened = await open(offset, known?.etag ?? null, controller.signal);
      const resumed = offset > 0 && !opened.restarted;
      if (!resumed) received = 0;
      meta = { ...opened.meta, size: opened.meta.size ?? known?.size ?? null };
      const total = meta.size;
      controller.signal.addEventListener('abort', () => opened.body.destroy(new Error('aborted')), { once: true });
      const out = createWriteStream(destination, { flags: resumed ? 'a' : 'w' });
      try {
        for await (const chunk of opened.body as AsyncIterable<Buffer>) {
          arm();
          received += chunk.length;
          options.onProgress?.(received, total);
          if (!out.write(chunk)) await once(out, 'drain');
        }
      } finally {
        // Every byte received reaches the disk, also when the body broke off: the next attempt continues after it.
        await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      }
      clearTimeout(timer);
      if (total === null || received >= total) return meta;
      lastError = new Error(`the body ended after ${received} of ${total} bytes`);
    } catch (error) {
      clearTimeout(timer);
      if (error instanceof InputError) throw error;
      lastError = timedOut ? new Error(`no data for ${seconds(options.idleTimeoutMs)} s`) : error;
      // No answer at all: a wrong address or a dead server, not a transfer worth continuing.
      if (meta === null) throw unreachable(options.label, timedOut ? new Error(`no response within ${seconds(options.idleTimeoutMs)} s`) : error);
    }
    // An attempt that gained bytes starts the count again: a flaky link still finishes.
    failures = received > offset ? 1 : failures + 1;
    if (failures >= attempts) {
      throw new InputError(`Could not download ${options.label}: ${reason(lastError)} (gave up after ${attempts} tries).`, 'Check the connection and the server, then run the command again.', lastError);
    }
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function unreachable(label: string, error: unknown): InputError {
  return new InputError(`Could not download ${label}: ${reason(error)}.`, 'Check the address and that the server is reachable.', error);
}

/** The network-level reason in a few words: `connection refused`, `host not found`, ... */
export function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host not found';
    case 'ECONNRESET': case 'UND_ERR_SOCKET': return 'the connection was closed mid-transfer';
    case 'ETIMEDOUT': case 'UND_ERR_CONNECT_TIMEOUT': case 'UND_ERR_HEADERS_TIMEOUT': return 'timed out';
  }
  // fetch says only `fetch failed`; its cause says why (`bad port`, a TLS problem, ...).
  const message = error instanceof Error ? (error.message === 'fetch failed' && cause?.message ? cause.message : error.message) : String(error);
  if (/terminated|premature close|aborted/i.test(message)) return 'the connection was closed mid-transfer';
  return message.split('\n')[0];
}
