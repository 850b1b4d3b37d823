import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the file server treats one path. */
export interface ServedFile {
  body: Buffer;
  /** Answer 401 unless the request carries exactly this Authorization header. */
  authorization?: string;
  /** Close the connection after this many body bytes, for the first `cuts` GETs (default 1). */
  cutAfter?: number;
  cuts?: number;
  /** Ignore Range headers (always 200 with the whole body). */
  noRanges?: boolean;
  /** Send headers, then nothing: a server that stalls. */
  stall?: boolean;
  /** Answer with this status instead of the file. */
  status?: number;
  /** Redirect (302) to this path. */
  redirect?: string;
}

export interface FileServer {
  readonly url: string;
  /** Every request seen: method, path, headers. */
  readonly requests: { method: string; path: string; headers: IncomingHttpHeaders }[];
  serve(path: string, file: ServedFile): void;
  close(): Promise<void>;
}

/**
 * A static file server on 127.0.0.1 with ETags, Last-Modified and byte ranges (206, If-Range),
 * and the faults a download must survive: a body cut short, a stall, a refusal, a redirect.
 */
export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, ServedFile & { served: number }>();
  const requests: FileServer['requests'] = [];
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers });
    const file = files.get(path);
    if (!file) { response.writeHead(404).end('not found'); return; }
    if (file.redirect) { response.writeHead(302, { location: file.redirect }).end(); return; }
    if (file.status) { response.writeHead(file.status).end(); return; }
    if (file.authorization && request.headers.authorization !== file.authorization) { response.writeHead(401).end(); return; }
    const etag = `"${createHash('sha256').update(file.body).digest('hex').slice(0, 16)}"`;
    const headers = { etag, 'last-modified': new Date(0).toUTCString(), 'accept-ranges': file.noRanges ? 'none' : 'bytes' };
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const ifRange = request.headers['if-range'];
    const start = range && !file.noRanges && (ifRange === undefined || ifRange === etag) ? Number(range[1]) : 0;
    const body = file.body.subarray(start);
    const status = start > 0 ? 206 : 200;
    response.writeHead(status, {
      ...headers,
      'content-length': String(body.length),
      ...(status === 206 ? { 'content-range': `bytes ${start}-${file.body.length - 1}/${file.body.length}` } : {}),
    });
    if (request.method === 'HEAD') { response.end(); return; }
    if (file.stall) { response.flushHeaders(); return; }
    if (file.cutAfter !== undefined && file.served < (file.cuts ?? 1)) {
      file.served += 1;
      response.write(body.subarray(0, file.cutAfter), () => response.destroy());
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    serve: (path, file) => { files.set(path, { ...file, served: 0 }); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
