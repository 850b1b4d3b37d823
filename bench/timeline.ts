// Where the time of one evalctl run goes: spawn -> first request at the stub -> last response -> exit.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from './datasets.js';
import { BIN } from './paths.js';

const rows = Number(process.argv[2] ?? 4000);
const latency = Number(process.argv[3] ?? 200);
const conc = process.argv[4] ?? '64';
const dir = mkdtempSync(join(tmpdir(), 'tl-'));
const data = join(dir, 'd.csv');
await writeDataset(data, rows);
let first = 0, last = 0, n = 0;
let inFlight = 0, area = 0, lastChange = 0;
const change = (d: number) => { const now = performance.now(); if (lastChange) area += inFlight * (now - lastChange); lastChange = now; inFlight += d; };
let spawnedAt = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    change(1);
    if (!first) first = performance.now();
    const body = JSON.parse(Buffer.concat(chunks).toString());
    setTimeout(() => {
      const text = 'A:' + body.messages.at(-1).content;
      const out = JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(out);
      change(-1);
      n++; last = performance.now();
    }, latency);
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as any).port;
spawnedAt = performance.now();
const child = spawn(process.execPath, [BIN, 'create', data, '-p', 'Classify: {review}', '-m', 'gpt-4o-mini', '-c', conc, '--no-cache', '-o', join(dir, 'out.csv')], {
  env: { ...process.env, OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, EVALCTL_HOME: join(dir, 'home'), CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'],
});
let err = ''; child.stderr.on('data', (d) => err += d);
const code = await new Promise((r) => child.on('exit', r));
const end = performance.now();
const ideal = rows / (Number(conc) * 1000 / latency) * 1000;
console.log(JSON.stringify({ code, rows: n, startMs: Math.round(first - spawnedAt), sendMs: Math.round(last - first), tailMs: Math.round(end - last), totalMs: Math.round(end - spawnedAt), idealMs: ideal, ratio: +(ideal / (end - spawnedAt)).toFixed(3), meanInFlight: +(area / (last - first)).toFixed(1) }));
if (code) console.log(err.slice(-2000));
server.close();
rmSync(dir, { recursive: true, force: true });
