// The ceiling: a bare HTTP loop sending the same OpenAI chat-completions requests evalctl would
// send for the same rows, under the same concurrency, parsing every JSON response. Runs in its
// own process so it shares no event loop with the bench's polling:
//   node --import tsx bench/bare-loop.ts --url http://127.0.0.1:PORT --file data.csv
//        --prompt "Classify: {review}" [--concurrency 32] [--client http|fetch] [--model gpt-4o-mini]
// Prints one JSON line (BareLoopResult) on stdout. Rows are loaded before the clock starts.
import http from 'node:http';
import { parseArgs } from 'node:util';
import { loadPrompts } from './prompts.js';

export interface BareLoopResult {
  client: 'http' | 'fetch';
  rows: number;
  ok: number;
  failed: number;
  /** 200 answers whose text was not stubAnswer(prompt) */
  wrongAnswers: number;
  loadMs: number;
  wallMs: number;
  rowsPerSec: number;
  /** user + system CPU time of the timed loop (rows already loaded) */
  cpuMs: number;
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    file: { type: 'string' },
    prompt: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    client: { type: 'string', default: 'http' },
    model: { type: 'string', default: 'gpt-4o-mini' },
  },
  strict: true,
});
if (!values.url || !values.file || !values.prompt) {
  process.stderr.write('bare-loop: --url, --file and --prompt are required\n');
  process.exit(2);
}
const client = values.client === 'fetch' ? 'fetch' : 'http';
const concurrency = Number(values.concurrency);
const endpoint = new URL('/v1/chat/completions', values.url);
const model = values.model!;

const loadStart = performance.now();
const prompts = await loadPrompts(values.file, values.prompt);
const loadMs = performance.now() - loadStart;

/** The body openai-node sends for evalctl's defaults (temperature 0, no max_tokens, no system). */
const bodyOf = (prompt: string) => JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], temperature: 0 });

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
function postHttp(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(endpoint, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer sk-bench' },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
async function postFetch(body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body,
  });
  return { status: response.status, text: await response.text() };
}
const post = client === 'fetch' ? postFetch : postHttp;

let next = 0, ok = 0, failed = 0, wrongAnswers = 0;
async function worker(): Promise<void> {
  while (next < prompts.length) {
    const prompt = prompts[next++];
    try {
      const { status, text } = await post(bodyOf(prompt));
      const json = JSON.parse(text);
      if (status !== 200) { failed++; continue; }
      ok++;
      if (json.choices?.[0]?.message?.content !== 'A:' + prompt) wrongAnswers++;
    } catch {
      failed++;
    }
  }
}

const start = performance.now();
const cpuStart = process.cpuUsage();
await Promise.all(Array.from({ length: Math.min(concurrency, prompts.length) }, worker));
const wallMs = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
agent.destroy();
const result: BareLoopResult = { client, rows: prompts.length, ok, failed, wrongAnswers, loadMs, wallMs, rowsPerSec: prompts.length / (wallMs / 1000), cpuMs: (cpu.user + cpu.system) / 1000 };
process.stdout.write(JSON.stringify(result) + '\n');
