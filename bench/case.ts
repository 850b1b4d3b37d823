// One benchmark case: dataset, stub in its own process, the bare loop(s), then evalctl, each
// after a stub reset, with the exactly-once checks.
import { join } from 'node:path';
import { runBareLoop } from './bare.js';
import type { BareLoopResult } from './bare-loop.js';
import { MODEL, PROMPT, type CaseSpec } from './cases.js';
import { writeDataset } from './datasets.js';
import { cleanEnv, runEvalctl, type HeapSample, type Sample } from './measure.js';
import { memoryProfile, type MemoryProfile } from './memory.js';
import { startStubProcess, type StubCounts } from './stub-process.js';
import { checkOutput, type OutputCheck } from './verify.js';

export interface EvalctlResult {
  exitCode: number | null;
  wallMs: number;
  rowsPerSec: number;
  /** spawn to job start, and job start to `committing` (poll resolution ~200 ms) */
  startupMs: number | null;
  sendMs: number | null;
  sendRowsPerSec: number | null;
  peakRssMB: number;
  /** CPU time of the whole evalctl process (start-up, sending, output write), ms */
  cpuMs: number | null;
  jobStatus: string | null;
  processed: number | null;
  failedRows: number | null;
  stub: StubCounts;
  output: OutputCheck | null;
  exactlyOnce: boolean;
  /** warning/error lines evalctl printed on stderr */
  warnings: string[];
  stderrTail?: string;
  samples: Sample[];
  heap: HeapSample[];
}

export interface CaseResult {
  id: string;
  title: string;
  rows: number;
  concurrency: number;
  latencyMs: number;
  idealRowsPerSec: number | null;
  bare: (BareLoopResult & { stub: StubCounts; exactlyOnce: boolean })[];
  evalctl: EvalctlResult;
  /** evalctl rows/s over the first bare loop's (the ceiling), over each client's, and over ideal */
  ratio: number;
  ratioByClient: Record<string, number>;
  ratioToIdeal: number | null;
  memory?: MemoryProfile;
}

export async function runCase(spec: CaseSpec, rows: number, tmp: string, log: (line: string) => void): Promise<CaseResult> {
  const dataset = join(tmp, `case-${spec.id}.${spec.input}`);
  log(`case ${spec.id}: writing ${rows.toLocaleString('en-US')} rows to ${dataset}`);
  await writeDataset(dataset, rows);
  const stub = await startStubProcess(spec.latencyMs);
  try {
    const bare: CaseResult['bare'] = [];
    for (const client of spec.bareClients) {
      await stub.reset();
      log(`case ${spec.id}: bare loop (${client}), concurrency ${spec.concurrency}`);
      const result = await runBareLoop({ url: stub.url, file: dataset, prompt: PROMPT, concurrency: spec.concurrency, client, model: MODEL });
      const counts = await stub.stats();
      bare.push({ ...result, stub: counts, exactlyOnce: counts.paid === rows && counts.duplicates === 0 && result.ok === rows && result.wrongAnswers === 0 });
    }

    await stub.reset();
    log(`case ${spec.id}: evalctl create, concurrency ${spec.concurrency}`);
    const home = join(tmp, `home-${spec.id}`);
    const output = join(tmp, `case-${spec.id}.out.${spec.output}`);
    const run = await runEvalctl({
      args: ['create', dataset, '-p', PROMPT, '-m', MODEL, '-c', String(spec.concurrency), '--no-cache', '-o', output],
      env: cleanEnv({ OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${stub.url}/v1`, EVALCTL_HOME: home, CI: 'true' }),
      home,
      peakFile: join(tmp, `case-${spec.id}.peak`),
      ...(spec.memoryCheckpoint ? { heapFile: join(tmp, `case-${spec.id}.heap.jsonl`) } : {}),
    });
    const counts = await stub.stats();
    const check = run.code === 0 ? await checkOutput(output, PROMPT) : null;
    const rowsPerSec = rows / (run.wallMs / 1000);
    const evalctl: EvalctlResult = {
      exitCode: run.code, wallMs: run.wallMs, rowsPerSec,
      startupMs: run.startupMs, sendMs: run.sendMs, sendRowsPerSec: run.sendMs ? rows / (run.sendMs / 1000) : null,
      peakRssMB: run.peakRssMB, cpuMs: run.cpuMs, jobStatus: run.job?.status ?? null,
      processed: run.job?.progress?.processed ?? null, failedRows: run.job?.failed_rows ?? null,
      stub: counts, output: check,
      exactlyOnce: run.code === 0 && counts.paid === rows && counts.duplicates === 0 && check !== null
        && check.rows === rows && check.distinctIds === rows && check.correct === rows && check.errors === 0,
      warnings: [...new Set(run.stderr.split('\n').filter((l) => /warning|error/i.test(l)).map((l) => l.replace(/\(node:\d+\)/, '(node)')))],
      ...(run.code !== 0 ? { stderrTail: run.stderr.slice(-3000) } : {}),
      samples: run.samples,
      heap: run.heap,
    };
    const ratioByClient = Object.fromEntries(bare.map((b) => [b.client, rowsPerSec / b.rowsPerSec]));
    const ideal = spec.latencyMs > 0 ? (spec.concurrency * 1000) / spec.latencyMs : null;
    return {
      id: spec.id, title: spec.title, rows, concurrency: spec.concurrency, latencyMs: spec.latencyMs, idealRowsPerSec: ideal,
      bare, evalctl, ratio: rowsPerSec / bare[0].rowsPerSec, ratioByClient, ratioToIdeal: ideal ? rowsPerSec / ideal : null,
      ...(spec.memoryCheckpoint ? { memory: memoryProfile(run.samples, run.heap, rows, spec.memoryCheckpoint) } : {}),
    };
  } finally {
    await stub.stop();
  }
}
