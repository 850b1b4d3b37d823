import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { JobStore } from '../core/jobs.js';
import { FILE_ID, resolveSubject, ViewCatalog } from '../core/view/catalog.js';
import { startViewer } from '../core/view/server.js';
import type { Context } from './main.js';
import { say } from './render.js';

/** `evalctl view [job | file]`: serve the viewer on 127.0.0.1 until Ctrl-C or SIGTERM. */
export default async function view(context: Context, subject: string | undefined, flags: { port?: number; open?: boolean; json?: boolean }): Promise<number> {
  const store = JobStore.fromEnv(context.env, context.cwd);
  const resolved = resolveSubject(store, subject, context.cwd);
  const catalog = new ViewCatalog(store, resolved.kind === 'file' ? resolved.path : null);
  const start = resolved.kind === 'jobs' ? '#/jobs' : `#/job/${encodeURIComponent(resolved.kind === 'job' ? resolved.id : FILE_ID)}`;
  context.cancellable(true);
  const viewer = await startViewer(catalog, { port: flags.port, start });
  const url = `${viewer.url}${start}`;
  say(context.t, `evalctl viewer at ${url} (Ctrl-C to stop)`);
  if (flags.json) context.t.out.write(`${JSON.stringify({ url })}\n`);
  if (flags.open) openBrowser(url);
  if (!context.signal.aborted) await once(context.signal, 'abort');
  await viewer.close();
  return 0;
}

/** Best effort: the URL is printed either way. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawn(command, [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
}
