import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { JobStore } from '../core/jobs.js';
import { prepareResume } from '../core/lifecycle.js';
import { resolveModel } from '../core/models.js';
import type { Context } from './main.js';
import { jobJson } from './outcome.js';
import { runDetached, runInForeground } from './foreground.js';
import { say } from './render.js';
import { isBatchWaiting } from '../core/batch/state.js';
import status from './status.js';

interface ResumeFlags {
  baseUrl?: string;
  concurrency?: number;
  rpm?: number;
  tpm?: number;
  timeout?: number;
  maxRetries?: number;
  maxRetryWait?: number;
  maxCost?: number;
  live?: boolean;
  detach?: boolean;
  json?: boolean;
}

/** Flags `resume` refuses, by commander's name: each would change the answers of the job. */
const ANSWER_FLAGS: Record<string, string> = {
  model: '--model', prompt: '--prompt', promptFile: '--prompt-file', system: '--system', temperature: '--temperature',
  maxTokens: '--max-tokens', targetColumn: '--target-column', sample: '--sample', sampleSeed: '--sample-seed', output: '--output',
};

/** `evalctl resume <id>`: continue a stopped job; pairs with an answer are never sent again. */
export default async function resume(context: Context, id: string, flags: ResumeFlags, command: Command): Promise<number> {
  const refused = Object.keys(ANSWER_FLAGS).find((key) => command.getOptionValueSource(key) === 'cli');
  if (refused) {
    throw new UsageError(
      `resume cannot take ${ANSWER_FLAGS[refused]}: it changes what the job asks, and the answers already paid for would no longer match the rest.`,
      'Start a new job with `evalctl create` for other models or prompts; resume takes --base-url, -c, --rpm, --tpm, --timeout, --max-retries, --max-retry-wait and --max-cost.',
    );
  }
  // Checked like create checks it: a bad URL is refused before the job is touched.
  const baseUrl = flags.baseUrl === undefined ? undefined : resolveModel('openai:x', flags.baseUrl, {}).baseURL;
  const store = JobStore.fromEnv(context.env, context.cwd);
  // A job waiting on its provider batches picks them up where they are (a new shell, a reboot).
  if (isBatchWaiting(store.read(id))) return status(context, id, { json: flags.json, watch: !flags.detach });
  const job = await prepareResume(store, id, {
    ...(flags.live ? { batch: false } : {}),
    base_url: baseUrl,
    concurrency: flags.concurrency,
    rpm: flags.rpm,
    tpm: flags.tpm,
    timeout_seconds: flags.timeout,
    max_retries: flags.maxRetries,
    max_retry_wait_seconds: flags.maxRetryWait,
    max_cost: flags.maxCost,
  }, context.env);
  if (flags.detach) {
    store.launched(job.id, runDetached(store, job.id, context.env));
    context.t.out.write(flags.json ? jobJson(store.read(job.id)) : `${job.id}\n`);
    say(context.t, `Resumed job ${job.id} in the background.`);
    return 0;
  }
  return runInForeground(context, store, job.id, { json: flags.json });
}
