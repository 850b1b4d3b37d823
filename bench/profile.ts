// CPU profile of evalctl on case (a): `node --cpu-prof` on the spawned CLI (not timed against
// anything; profiling slows it), the .cpuprofile kept under bench/results/ for DevTools.
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL, PROMPT, type CaseSpec } from './cases.js';
import { writeDataset } from './datasets.js';
import { cleanEnv, runEvalctl } from './measure.js';
import { RESULTS } from './paths.js';
import { summarizeProfile, type ProfileSummary } from './profile-summary.js';
import { startStubProcess } from './stub-process.js';

export interface ProfileResult extends ProfileSummary {
  rows: number;
  wallMs: number;
  exitCode: number | null;
  profilePath: string;
}

export async function profileCase(spec: CaseSpec, rows: number, tmp: string, log: (line: string) => void): Promise<ProfileResult> {
  const dataset = join(tmp, `profile-${spec.id}.${spec.input}`);
  await writeDataset(dataset, rows);
  const stub = await startStubProcess(spec.latencyMs);
  try {
    log(`profile: evalctl on case ${spec.id} (${rows.toLocaleString('en-US')} rows) with --cpu-prof`);
    const dir = join(tmp, 'cpuprofile');
    const home = join(tmp, 'home-profile');
    const run = await runEvalctl({
      args: ['create', dataset, '-p', PROMPT, '-m', MODEL, '-c', String(spec.concurrency), '--no-cache', '-o', join(tmp, `profile-${spec.id}.out.${spec.output}`)],
      env: cleanEnv({ OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${stub.url}/v1`, EVALCTL_HOME: home, CI: 'true' }),
      home,
      nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir],
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written (evalctl exited ${run.code})`);
    mkdirSync(RESULTS, { recursive: true });
    const kept = join(RESULTS, `evalctl-case-${spec.id}.cpuprofile`);
    copyFileSync(join(dir, file), kept);
    const summary = summarizeProfile(JSON.parse(readFileSync(kept, 'utf8')), 15);
    return { ...summary, rows, wallMs: run.wallMs, exitCode: run.code, profilePath: kept };
  } finally {
    await stub.stop();
  }
}
