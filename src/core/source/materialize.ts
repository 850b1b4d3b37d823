import { mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { formatFromPath, INPUT_FORMATS, type InputFormat } from '../dataset.js';
import { download, type RemoteMeta } from './download.js';
import { httpOpener } from './http.js';
import { locateSource, type LocateOptions } from './locate.js';
import { s3Client, s3Opener } from './s3.js';
import { sniffFormat, spoolStdin } from './stdin.js';

/** A source made local: the file DuckDB reads, and where it came from. */
export interface LocalSource {
  /** The file to read: the user's own, or the copy in the job's folder. */
  readonly path: string;
  /** Its format when the name does not tell (stdin, a URL without an extension). */
  readonly format?: InputFormat;
  /** The URL as given, credentials masked; `-` for stdin; null for a local file. */
  readonly url: string | null;
  /** What the remote store said about the object when it was downloaded. */
  readonly remote: RemoteMeta | null;
  /** The S3-compatible endpoint used, so that resume checks the same store. */
  readonly s3Endpoint: string | null;
  /** A local path to name default outputs after: `<cwd>/<file name>` for a remote or piped table. */
  readonly nameBase: string;
}

export interface MaterializeOptions extends LocateOptions {
  /** The job's folder for copies; required for anything but a local file. */
  readonly workDir?: string;
  readonly stdin?: Readable;
  readonly inputFormat?: InputFormat;
  /** A download gives up on a silence this long. */
  readonly timeoutMs: number;
  readonly onProgress?: (received: number, total: number | null) => void;
}

/**
 * Makes `source` a local file, once: a local path is used where it is; a URL is streamed into
 * `<workDir>/source/<name>` (a `.download` file renamed when complete) and stdin spooled there.
 */
export async function materializeSource(source: string, options: MaterializeOptions): Promise<LocalSource> {
  const location = locateSource(source, options);
  if (location.kind === 'file') return { path: location.path, url: null, remote: null, s3Endpoint: null, nameBase: location.path };
  if (!options.workDir) throw new Error(`materializeSource: ${location.kind} sources need a workDir`);
  const directory = join(options.workDir, 'source');
  mkdirSync(directory, { recursive: true });
  if (location.kind === 'stdin') {
    const path = await spoolStdin(options.stdin ?? process.stdin, directory, options.inputFormat);
    return { path, url: '-', remote: null, s3Endpoint: null, nameBase: resolve(options.cwd, 'stdin.csv') };
  }
  const name = location.name.replace(/[^\w.-]+/g, '_') || 'source';
  const path = join(directory, name);
  const partial = `${path}.download`;
  const opener = location.kind === 'http' ? httpOpener(location.target) : s3Opener(location.target, await s3Client(location.target, options.env));
  const remote = await download(opener, partial, { label: location.target.label, idleTimeoutMs: options.timeoutMs, onProgress: options.onProgress });
  renameSync(partial, path);
  return {
    path,
    format: options.inputFormat ?? (knownExtension(name) ? undefined : sniffFormat(path)),
    url: location.target.label,
    remote,
    s3Endpoint: location.kind === 's3' ? location.target.endpoint : null,
    nameBase: resolve(options.cwd, name),
  };
}

function knownExtension(name: string): boolean {
  try {
    return (INPUT_FORMATS as readonly string[]).includes(formatFromPath(name));
  } catch {
    return false;
  }
}
