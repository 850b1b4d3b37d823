// A 1 GB remote table is streamed to disk with flat memory: a local http server generates a
// CSV of the asked size on the fly (nothing held in memory, nothing read from disk), evalctl's
// download path (the one `create https://...` uses) copies it into a temp folder, and the
// process's RSS is sampled every 100 ms. Run: node --import tsx bench/remote.ts [megabytes]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { download } from '../src/core/source/download.js';
import { httpOpener } from '../src/core/source/http.js';

const megabytes = Number(process.argv[2] ?? 1024);
const size = megabytes * 1024 * 1024;
const line = (i: number) => `${i},"review number ${i}: a sentence long enough to look like a product review"\n`;

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-length': String(size), etag: '"bench"' });
  let sent = 0;
  let i = 0;
  const pump = () => {
    while (sent < size) {
      let chunk = '';
      while (chunk.length < 64 * 1024) chunk += line(i++);
      const bytes = Buffer.from(chunk).subarray(0, size - sent);
      sent += bytes.length;
      if (!response.write(bytes)) { response.once('drain', pump); return; }
    }
    response.end();
  };
  response.write('id,review\n');
  sent += 'id,review\n'.length;
  pump();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/big.csv`;
const folder = mkdtempSync(join(tmpdir(), 'evalctl-bench-remote-'));
const samples: { at: number; rss: number }[] = [];
let received = 0;
const sampler = setInterval(() => samples.push({ at: received, rss: process.memoryUsage().rss }), 100);
const started = performance.now();
try {
  await download(httpOpener({ url, headers: {}, label: url, authHint: '' }), join(folder, 'big.csv'), {
    label: url, idleTimeoutMs: 30_000, onProgress: (bytes) => { received = bytes; },
  });
  const seconds = (performance.now() - started) / 1000;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  const at = (fraction: number) => samples.find((sample) => sample.at >= size * fraction)?.rss ?? NaN;
  console.log(`downloaded ${mb(statSync(join(folder, 'big.csv')).size)} in ${seconds.toFixed(1)} s (${mb(size / seconds)}/s)`);
  console.log(`RSS at 10%: ${mb(at(0.1))}, 50%: ${mb(at(0.5))}, 90%: ${mb(at(0.9))}; peak ${mb(Math.max(...samples.map((s) => s.rss)))}`);
} finally {
  clearInterval(sampler);
  server.close();
  rmSync(folder, { recursive: true, force: true });
}
