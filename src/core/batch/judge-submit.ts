import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { readAnswers } from '../answers.js';
import { writeAnswersByRow } from '../answers-by-row.js';
import type { Dataset } from '../dataset.js';
import type { JobRecord, JobStore } from '../jobs.js';
import { judgeItems, type RowItems } from '../judge/items.js';
import type { JudgePhase } from '../judge/phases.js';
import type { JudgeModel } from '../judge/spec.js';
import { selectionOf } from '../output/job-output.js';
import { endpointKey, type VariantSpec } from '../spec.js';
import { selectedRows } from '../writer.js';
import { pendingPairs } from './pending.js';
import { requestLine } from './requests.js';
import { BatchSender } from './sender.js';

/**
 * The judging phases of a `--batch-api` job, sent as provider batches once its answers are all
 * collected: the same requests the live judge phase makes (`judge/requests.ts`, over the answers
 * in row order), one batch set per phase (the judge; pairwise, both orders) at the judge model's
 * endpoint, `custom_id` `<row>-<lane>`. Pairs with a verdict in the phase's log, or in a batch not
 * collected yet, are not sent; failed answers are not judged. Returns the record with the batches.
 */
export async function submitJudgeBatches(store: JobStore, job: JobRecord, dataset: Dataset, phases: readonly JudgePhase[], env: NodeJS.ProcessEnv): Promise<JobRecord> {
  const s = job.settings;
  const paths = store.paths(job.id);
  mkdirSync(join(paths.dir, 'batches'), { recursive: true });
  const selection = selectionOf(job, paths.sample);
  const byRow = dataset.tempFile('judge-answers-by-row.jsonl');
  await writeAnswersByRow({ logPath: paths.answers, outPath: byRow, rowCount: dataset.rowCount, variants: s.variants.length, rows: selectedRows(selection, dataset.rowCount) });
  const sender = new BatchSender(store, job, env);
  try {
    for (const phase of phases) {
      // The phase's log exists from its first batch on, as live (an empty log: nothing judged yet).
      closeSync(openSync(phase.log, 'a'));
      const { done } = await readAnswers(phase.log, dataset.rowCount, phase.lanes);
      const pending = await pendingPairs(store, sender.job, dataset.rowCount, { kind: phase.kind, lanes: phase.lanes });
      const build: RowItems = (row, values, answers) => phase.build(row, values, answers).filter((item) => !done[row * phase.lanes + item.variant] && !pending[row * phase.lanes + item.variant]);
      const model = judgeVariant(phase.model);
      const target = { key: `${endpointKey(model)} ${phase.kind}`, endpoint: { provider: model.provider as 'openai' | 'anthropic', base_url: model.base_url, model: model.model }, phase: phase.kind };
      for await (const items of judgeItems(dataset, phase.columns, byRow, selection, build)) {
        for (const item of items) await sender.write(target, Buffer.from(`${requestLine(model, item.row, item.variant, item.prompt)}\n`));
      }
    }
    await sender.flush();
  } finally {
    // A submission cut short: the unsent files are dropped; resume writes them again.
    sender.dispose();
  }
  return sender.job;
}

/** The judge model as the request it makes live: temperature 0, no system prompt, the provider's default length. */
function judgeVariant(model: JudgeModel): VariantSpec {
  return { name: 'judge', model: model.model, provider: model.provider, base_url: model.base_url, prompt: '', system: null, temperature: 0, max_tokens: null, price: model.price };
}
