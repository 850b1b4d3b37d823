import { UsageError } from '../errors.js';
import type { Plan } from '../plan.js';

/**
 * `create --batch-api`: the planned job goes through the providers' batch APIs, its judges too.
 * Refused for a model no batch API serves (the offline `echo`), answering or judging.
 */
export function withBatchApi(plan: Plan): Plan {
  const s = plan.record.settings;
  const echo = s.variants.find((v) => v.provider === 'echo');
  const judge = [s.judge, s.pairwise].find((j) => j?.provider === 'echo');
  if (echo || judge) {
    plan.dataset.close();
    throw new UsageError(
      `--batch-api needs ${echo ? 'a model' : 'a judge model'} at OpenAI or Anthropic; ${(echo ?? judge)!.model} has no batch API.`,
      echo ? 'Drop --batch-api to run it live.' : 'Pick another --judge-model, or drop --batch-api to run it live.',
    );
  }
  return { ...plan, record: { ...plan.record, settings: { ...plan.record.settings, batch: true } } };
}
