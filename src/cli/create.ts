import type { Command } from 'commander';
import { JobStore } from '../core/jobs.js';
import { createJob } from '../core/lifecycle.js';
import type { Encoding } from '../core/dataset.js';
import { isLocalSource } from '../core/source/locate.js';
import type { OutputFormat } from '../core/writer.js';
import { downloadProgress } from './download-progress.js';
import { planJob } from '../core/plan.js';
import { refuseStoredKeys } from '../core/stored-text.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { completeCreate, confirmCost } from './create-interactive.js';
import type { Context } from './main.js';
import { settingsFrom } from './options.js';
import { jobJson } from './outcome.js';
import { runDetached, runInForeground } from './foreground.js';
import { paint, say } from './render.js';
import { resolveScoring } from '../core/score/scoring.js';
import { scoringRequest, type ScoringFlags } from './scoring-flags.js';
import { attachJudging, wantsJudging } from '../core/judge/resolve.js';
import type { JudgeFlags } from './judge-flags.js';
import { withBatchApi } from '../core/batch/plan.js';
import { checkBatchBudget } from '../core/batch/budget.js';
import type { JobSpec } from '../core/spec.js';
import { imageOutputConflict } from '../core/imagegen/spec.js';

interface CreateFlags extends ScoringFlags, JudgeFlags {
  encoding?: Encoding;
  model?: string[];
  prompt?: string[];
  promptFile?: string[];
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
  batchApi?: boolean;
  json?: boolean;
  schema?: string;
  structured?: boolean;
  outputType?: 'text' | 'embeddings' | 'image';
  embedImages?: boolean;
  inputType?: 'text' | 'image' | 'video';
  imageColumn?: string[];
  videoColumn?: string[];
  dimensions?: number;
  template?: string;
}

/** `evalctl create <source>`: check everything, record the job, run it (here or detached). */
export default async function create(context: Context, sourceArgument: string | undefined, flags: CreateFlags, command: Command): Promise<number> {
  const template = flags.template === undefined ? undefined : await (await import('../core/templates.js')).findTemplate(flags.template, context.cwd);
  const settings = await settingsFrom(command, context.env, context.cwd, template?.defaults);
  // The template's prompt, and its labels when the run is scored, unless the command line gives its own.
  if (template && !flags.prompt && !flags.promptFile) flags.prompt = [template.prompt];
  const scored = flags.groundTruth !== undefined || flags.evaluator !== undefined || flags.expectDistribution !== undefined;
  if (template?.choices && flags.choices === undefined && scored) flags.choices = template.choices;
  const completed = await completeCreate(context, sourceArgument, flags, settings, command);
  if (completed === 'cancelled') { say(context.t, 'Nothing sent.'); return ExitCode.Cancelled; }
  const { source, asked } = completed;
  if (flags.sampleSeed !== undefined && flags.sample === undefined) {
    throw new UsageError('--sample-seed needs --sample.', 'Add --sample 100 --sample-seed 7 to evaluate 100 random rows.');
  }
  if (flags.output === '-' && (flags.json || flags.detach)) {
    throw new UsageError(`-o - writes the table to stdout, so it cannot go with ${flags.json ? '--json' : '--detach'}.`, 'Write to a file with -o out.csv instead.');
  }
  if (flags.junit !== undefined && flags.detach) throw new UsageError('--junit cannot go with --detach: the report is written when the run ends.', 'Run in the foreground, or score the output later with `evalctl score <id> --junit <file>`.');
  const scoring = resolveScoring({ ...scoringRequest(flags, settings, context.cwd), judged: wantsJudging(flags) });
  refuseStoredKeys({ name: flags.name, commitMessage: flags.commitMessage, targetBranch: flags.targetBranch, targetColumn: settings.targetColumn, s3Endpoint: flags.s3Endpoint }, context.env);
  const store = JobStore.fromEnv(context.env, context.cwd);
  // A remote or piped table is copied into the job's folder, so the folder comes first.
  const reserved = isLocalSource(source) ? undefined : store.reserve();
  let plan;
  try {
    plan = await planJob({
      ...flags, source, models: flags.model, prompts: flags.prompt, promptFiles: flags.promptFile, imageColumns: flags.imageColumn, videoColumns: flags.videoColumn,
      settings, scoring, env: context.env, cwd: context.cwd,
      workDir: reserved && store.paths(reserved).dir, onDownload: downloadProgress(context.t),
    });
    try {
      attachJudging(plan, { ...flags, groundTruth: flags.groundTruth, gates: scoring?.fail_under ?? [], needKeys: !flags.dryRun, settings, env: context.env, cwd: context.cwd });
      const conflict = imageOutputConflict(plan.record.settings, { output: plan.record.output, embedImages: flags.embedImages, batchApi: flags.batchApi });
      if (conflict) throw new UsageError(conflict, 'Generate images in a job of their own: --output-type image, a prompt, and an output file.');
    } catch (error) {
      plan.dataset.close();
      throw error;
    }
    if (flags.batchApi) {
      const unsupported = batchUnsupported(plan.record.settings);
      if (unsupported) { plan.dataset.close(); throw new UsageError(`--batch-api does not support ${unsupported} yet.`, 'Run without --batch-api (live), or without that option.'); }
      plan = withBatchApi(plan);
      if (!flags.dryRun) {
        try {
          await checkBatchBudget(plan);
        } catch (error) {
          plan.dataset.close();
          throw error;
        }
      }
    }
  } catch (error) {
    if (reserved) store.discard(reserved);
    throw error;
  }
  for (const warning of plan.warnings) say(context.t, paint(context.t, 'yellow', `warning: ${warning}`));
  if (flags.dryRun) {
    const { dryRun } = await import('./dry-run.js');
    try {
      return await dryRun(context, plan, flags.json ?? false);
    } finally {
      if (reserved) store.discard(reserved);
    }
  }
  if (asked && !(await confirmCost(context, plan))) {
    plan.dataset.close();
    if (reserved) store.discard(reserved);
    say(context.t, 'Nothing sent.');
    return ExitCode.Cancelled;
  }
  let job;
  try {
    // A remote source's default output name was chosen free at planning (beside nothing local to number against).
    job = createJob(store, plan.record, plan.dataset.rowCount, { explicit: flags.output !== undefined || reserved !== undefined, overwrite: flags.overwrite ?? false }, reserved);
  } catch (error) {
    plan.dataset.close();
    if (reserved) store.discard(reserved);
    throw error;
  }
  if (flags.detach) {
    plan.dataset.close();
    store.launched(job.id, runDetached(store, job.id, context.env));
    if (flags.json) context.t.out.write(jobJson(store.read(job.id)));
    else context.t.out.write(`${job.id}\n`);
    say(context.t, `Started job ${job.id} in the background. Follow it with \`evalctl status ${job.id} --watch\`; stop it with \`evalctl cancel ${job.id}\`.`);
    return 0;
  }
  return runInForeground(context, store, job.id, { json: flags.json, dataset: plan.dataset, junit: flags.junit });
}

/** What a job asks that the batch path cannot send yet, as the flag that asked it; undefined when all can. */
function batchUnsupported(spec: JobSpec): string | undefined {
  if (spec.input_type === 'video') return '--input-type video';
  return undefined;
}
