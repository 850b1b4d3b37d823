import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EvalctlError, JobError, messageOf, UsageError } from '../errors.js';
import type { ViewCatalog } from './catalog.js';
import { pageHtml, SERVER_CSP } from './page.js';

/** A running viewer: its URL, and how to stop it. */
export interface Viewer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the viewer on 127.0.0.1 only: the page at `/`, and a read-only JSON API:
 * `GET /api/jobs`, `GET /api/jobs/<id>`, `GET /api/jobs/<id>/rows?offset&limit&sort&dir&variant&failed&invalid&incorrect&truth&predicted&judge&disagree&q`.
 * Requests naming another host are refused, so a web page cannot reach it by DNS rebinding.
 */
export async function startViewer(catalog: ViewCatalog, options: { port?: number; start: string }): Promise<Viewer> {
  if (options.port !== undefined && options.port > 65_535) throw new UsageError(`--port ${options.port} is not a port: use 1 to 65535.`);
  let origin = '';
  const server = createServer((request, response) => {
    handle(catalog, options.start, origin, request, response).catch((error) => send(response, statusOf(error), { error: messageOf(error).split('\n')[0] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE'
      ? new UsageError(`Port ${options.port} on 127.0.0.1 is in use.`, 'Choose another with --port, or leave it out for a free one.')
      : error));
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `127.0.0.1:${port}`;
  return {
    url: `http://${origin}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await catalog.close();
    },
  };
}

async function handle(catalog: ViewCatalog, start: string, origin: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const host = request.headers.host ?? '';
  if (host !== origin && host !== origin.replace('127.0.0.1', 'localhost')) return send(response, 403, { error: `Host ${host} is not this viewer.` });
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, { error: 'Only GET.' });
  const url = new URL(request.url ?? '/', `http://${origin}`);
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) {
    const html = pageHtml({ mode: 'server', start }, { title: 'evalctl', csp: SERVER_CSP });
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': SERVER_CSP, 'cache-control': 'no-store' });
    response.end(html);
    return;
  }
  if (parts[0] !== 'api') return send(response, 404, { error: `No page ${url.pathname}.` });
  if (parts.length === 2 && parts[1] === 'jobs') return send(response, 200, catalog.jobs());
  if (parts.length === 3 && parts[1] === 'jobs') return send(response, 200, await catalog.view(parts[2]));
  if (parts.length === 4 && parts[1] === 'jobs' && parts[3] === 'rows') return send(response, 200, await catalog.rows(parts[2], url.searchParams));
  return send(response, 404, { error: `No API ${url.pathname}.` });
}

function statusOf(error: unknown): number {
  if (error instanceof UsageError) return 400;
  if (error instanceof JobError) return 404;
  return error instanceof EvalctlError ? 409 : 500;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(JSON.stringify(body));
}
