import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { formatFromPath, INPUT_FORMATS, type InputFormat } from '../dataset.js';
import { InputError } from '../errors.js';
import { download, type Opener, type RemoteMeta } from './download.js';
import { expandLocal, fixedPrefix, isPattern } from './glob.js';
import { httpOpener } from './http.js';
import { locateSource, type LocateOptions } from './locate.js';
import { listS3, s3Client, s3Opener } from './s3.js';
import { sniffFormat, spoolStdin } from './stdin.js';

/** One file of a source read as several (a glob, a folder, an S3 prefix). */
export interface SourceFile {
  readonly path: string;
  /** For a downloaded file: its S3 key, and what the store said about it. */
  readonly key?: string;
  readonly remote?: RemoteMeta;
}

/** A source made local: the file(s) DuckDB reads, and where they came from. */
export interface LocalSource {
  /** The file to read (the user's own, or the copy in the job's folder); for several files, the pattern as shown. */
  readonly path: string;
  /** Several files read as one table, in this order; null for one file. */
  readonly files: readonly SourceFile[] | null;
  /** Its format when the name does not tell (stdin, a URL without an extension). */
  readonly format?: InputFormat;
  /** The URL as given, credentials masked; `-` for stdin; null for local files. */
  readonly url: string | null;
  /** What the remote store said about the object when it was downloaded. */
  readonly remote: RemoteMeta | null;
  /** The S3-compatible endpoint used, so that resume checks the same store. */
  readonly s3Endpoint: string | null;
  /** A local path to name default outputs after: `<cwd>/<file name>` for a remote or piped table. */
  readonly nameBase: string;
}

export interface MaterializeOptions extends LocateOptions {
  /** The job's folder for copies; required for anything but local files. */
  readonly workDir?: string;
  readonly stdin?: Readable;
  readonly inputFormat?: InputFormat;
  /** A download gives up on a silence this long. */
  readonly timeoutMs: number;
  readonly onProgress?: (received: number, total: number | null) => void;
}

/**
 * Makes `source` local, once: local files are used where they are; a URL is streamed into
 * `<workDir>/source/<name>` (a `.download` file renamed when complete), an S3 pattern's objects
 * into `<workDir>/source/<key>`, and stdin spooled there.
 */
export async function materializeSource(source: string, options: MaterializeOptions): Promise<LocalSource> {
  const location = locateSource(source, options);
  const local = { files: null, url: null, remote: null, s3Endpoint: null };
  if (location.kind === 'file') return { ...local, path: location.path, nameBase: location.path };
  if (location.kind === 'files') {
    const files = expandLocal(location.pattern, source).map((path) => ({ path }));
    // Outputs are named after the folder: data/*.parquet -> data.prediction.parquet.
    const folder = isPattern(location.pattern) ? fixedPrefix(location.pattern).replace(/[/\\][^/\\]*$/, '') : location.pattern.replace(/[/\\]+$/, '');
    return { ...local, path: location.pattern, files, nameBase: `${folder || 'source'}.x` };
  }
  if (!options.workDir) throw new Error(`materializeSource: ${location.kind} sources need a workDir`);
  const directory = join(options.workDir, 'source');
  mkdirSync(directory, { recursive: true });
  if (location.kind === 'stdin') {
    const path = await spoolStdin(options.stdin ?? process.stdin, directory, options.inputFormat);
    return { ...local, path, url: '-', nameBase: resolve(options.cwd, 'stdin.csv') };
  }
  if (location.kind === 's3-glob') {
    const { target } = location;
    const client = await s3Client(target, options.env);
    const objects = await listS3(target, client, target.key);
    if (objects.length === 0) throw new InputError(`No objects match ${target.label}.`, 'Check the pattern; `aws s3 ls` lists what is there.');
    // Keys keep their folders under the pattern's prefix, so the copies sort as the keys do.
    const base = fixedPrefix(target.key).replace(/[^/]*$/, '');
    const files: SourceFile[] = [];
    for (const object of objects) {
      const path = join(directory, ...object.key.slice(base.length).split('/').map(safeName));
      mkdirSync(dirname(path), { recursive: true });
      const remote = await fetchTo(s3Opener({ ...target, key: object.key, label: `s3://${target.bucket}/${object.key}` }, client), path, `s3://${target.bucket}/${object.key}`, options);
      files.push({ path, key: object.key, remote });
    }
    return { ...local, path: target.label, files, url: target.label, s3Endpoint: target.endpoint, nameBase: resolve(options.cwd, `${safeName(base.split('/').filter(Boolean).pop() ?? target.bucket)}.x`) };
  }
  const name = safeName(location.name);
  const path = join(directory, name);
  const opener = location.kind === 'http' ? httpOpener(location.target) : s3Opener(location.target, await s3Client(location.target, options.env));
  const remote = await fetchTo(opener, path, location.target.label, options);
  return {
    ...local,
    path,
    format: options.inputFormat ?? (knownExtension(name) ? undefined : sniffFormat(path)),
    url: location.target.label,
    remote,
    s3Endpoint: location.kind === 's3' ? location.target.endpoint : null,
    nameBase: resolve(options.cwd, name),
  };
}

/** Downloads to `<path>.download`, renamed to `path` once complete. */
async function fetchTo(opener: Opener, path: string, label: string, options: MaterializeOptions): Promise<RemoteMeta> {
  const partial = `${path}.download`;
  const remote = await download(opener, partial, { label, idleTimeoutMs: options.timeoutMs, onProgress: options.onProgress });
  renameSync(partial, path);
  return remote;
}

function safeName(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_') || 'source';
}

function knownExtension(name: string): boolean {
  try {
    return (INPUT_FORMATS as readonly string[]).includes(formatFromPath(name));
  } catch {
    return false;
  }
}
