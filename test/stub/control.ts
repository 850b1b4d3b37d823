// Control endpoints of the stub server (not counted in its stats):
//   GET /__stats[?prompts=0]   stats JSON (prompts=0: empty paidByPrompt, cheap for huge runs)
//   POST /__reset              clear stats (and failFirst attempts; reseed the PRNG)
//   POST /__config {options}   change options at runtime (null unsets one); answers the options
//   GET /__config              the current options
import type http from 'node:http';
import type { StubOptions, StubStats } from './server.js';

export interface ControlApi {
  stats(opts: { prompts?: boolean }): StubStats;
  reset(): void;
  configure(p: Partial<StubOptions>): void;
  options(): StubOptions;
}

export function handleControl(api: ControlApi, req: http.IncomingMessage, res: http.ServerResponse, path: string, query: string, raw: string): void {
  let status = 200;
  let body: unknown;
  try {
    if (req.method === 'GET' && path === '/__stats') body = api.stats({ prompts: !/(^|&)prompts=(0|false)(&|$)/.test(query) });
    else if (req.method === 'POST' && path === '/__reset') { api.reset(); body = { ok: true }; }
    else if (path === '/__config' && (req.method === 'POST' || req.method === 'GET')) {
      if (req.method === 'POST' && raw) {
        const p = JSON.parse(raw);
        if (!p || typeof p !== 'object' || Array.isArray(p)) throw new Error('config must be a JSON object');
        delete p.answer;
        api.configure(p);
      }
      const { answer: _answer, ...cfg } = api.options();
      body = cfg;
    } else { status = 404; body = { error: `unknown control endpoint ${req.method} ${path}` }; }
  } catch (e) { status = 400; body = { error: String(e) }; }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
