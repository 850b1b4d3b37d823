// Standalone stub LLM server (for benchmarks in a separate process):
//   node --import tsx test/stub/main.ts [--latency ms] [--rate429 0.2] [--retry-after 1]
//        [--retry-after-ms ms] [--rate500 0.05] [--rate-drop 0.02] [--seed n]
//        [--fail-first n] [--require-key key]
// Prints one line of JSON {"url":"http://127.0.0.1:PORT"} on stdout, then serves
// until SIGTERM/SIGINT. Runtime control: POST /__config, GET /__stats, POST /__reset.
import { parseArgs } from 'node:util';
import { startStub, type StubOptions } from './server.js';

const { values } = parseArgs({
  options: {
    latency: { type: 'string' },
    rate429: { type: 'string' },
    'retry-after': { type: 'string' },
    'retry-after-ms': { type: 'string' },
    rate500: { type: 'string' },
    'rate-drop': { type: 'string' },
    seed: { type: 'string' },
    'fail-first': { type: 'string' },
    'require-key': { type: 'string' },
  },
  strict: true,
});

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) {
    process.stderr.write(`stub: --${name} must be a number, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return x;
}

const opts: StubOptions = {};
const set = <K extends keyof StubOptions>(k: K, v: StubOptions[K] | undefined) => { if (v !== undefined) opts[k] = v; };
set('latencyMs', num('latency', values.latency));
set('rate429', num('rate429', values.rate429));
set('retryAfterSeconds', num('retry-after', values['retry-after']));
set('retryAfterMs', num('retry-after-ms', values['retry-after-ms']));
set('rate500', num('rate500', values.rate500));
set('rateDrop', num('rate-drop', values['rate-drop']));
set('seed', num('seed', values.seed));
set('failFirst', num('fail-first', values['fail-first']));
set('requireKey', values['require-key']);

const stub = await startStub(opts);
process.stdout.write(JSON.stringify({ url: stub.url }) + '\n');

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  stub.close().then(() => process.exit(0), () => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
