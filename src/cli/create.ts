import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { JobStore } from '../core/jobs.js';
import { isLocalSource } from '../core/source/locate.js';
import type { OutputFormat } from '../core/writer.js';
import { downloadProgress } from './download-progress.js';
import { planJob } from '../core/plan.js';
import { sampleRows } from '../core/sample.js';
import { UsageError } from '../core/errors.js';
import type { Context } from './main.js';
import { settingsFrom } from './options.js';
import { jobJson } from './outcome.js';
import { runDetached, runInForeground } from './foreground.js';
import { say } from './render.js';

interface CreateFlags {
  prompt?: string;
  promptFile?: string;
  output?: string;
  overwrite?: boolean;
  sample?: number;
  sampleSeed?: number;
  inputFormat?: 'parquet' | 'csv' | 'tsv' | 'jsonl' | 'json';
  outputFormat?: OutputFormat;
  shard?: { index: number; count: number };
  commit?: boolean;
  commitMessage?: string;
  targetBranch?: string;
  s3Endpoint?: string;
  name?: string;
  dryRun?: boolean;
  detach?: boolean;
  json?: boolean;
}

/** `evalctl create <source>`: check everything, record the job, run it (here or detached). */
export default async function create(context: Context, source: string, flags: CreateFlags, command: Command): Promise<number> {
  const settings = await settingsFrom(command, context.env, context.cwd);
  if (flags.sampleSeed !== undefined && flags.sample === undefined) {
    throw new UsageError('--sample-seed needs --sample.', 'Add --sample 100 --sample-seed 7 to evaluate 100 random rows.');
  }
  if (flags.output === '-' && (flags.json || flags.detach)) {
    throw new UsageError(`-o - writes the table to stdout, so it cannot go with ${flags.json ? '--json' : '--detach'}.`, 'Write to a file with -o out.csv instead.');
  }
  const store = JobStore.fromEnv(context.env, context.cwd);
  // A remote or piped table is copied into the job's folder, so the folder comes first.
  const reserved = isLocalSource(source) ? undefined : store.reserve();
  let plan;
  try {
    plan = await planJob({ ...flags, source, settings, env: context.env, cwd: context.cwd, workDir: reserved && store.paths(reserved).dir, onDownload: downloadProgress(context.t) });
  } catch (error) {
    if (reserved) store.discard(reserved);
    throw error;
  }
  if (flags.dryRun) {
    const { dryRun } = await import('./dry-run.js');
    try {
      return await dryRun(context, plan, flags.json ?? false);
    } finally {
      if (reserved) store.discard(reserved);
    }
  }
  const job = store.create(plan.record, reserved);
  if (job.settings.sample_seed !== null && job.settings.sample_count !== null) {
    const rows = sampleRows(plan.dataset.rowCount, job.settings.sample_count, job.settings.sample_seed);
    writeFileSync(store.paths(job.id).sample, JSON.stringify({ rows }));
  }
  if (flags.detach) {
    plan.dataset.close();
    store.launched(job.id, runDetached(store, job.id, context.env));
    if (flags.json) context.t.out.write(jobJson(store.read(job.id)));
    else context.t.out.write(`${job.id}\n`);
    say(context.t, `Started job ${job.id} in the background. Follow it with \`evalctl status ${job.id} --watch\`; stop it with \`evalctl cancel ${job.id}\`.`);
    return 0;
  }
  return runInForeground(context, store, job.id, { json: flags.json, dataset: plan.dataset });
}
