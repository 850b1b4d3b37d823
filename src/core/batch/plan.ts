import { UsageError } from '../errors.js';
import type { Plan } from '../plan.js';

/**
 * `create --batch-api`: the planned job goes through the providers' batch APIs. Refused for
 * a model no batch API serves (the offline `echo`).
 */
export function withBatchApi(plan: Plan): Plan {
  const echo = plan.record.settings.variants.find((v) => v.provider === 'echo');
  if (echo) {
    plan.dataset.close();
    throw new UsageError(`--batch-api needs a model at OpenAI or Anthropic; ${echo.model} has no batch API.`, 'Drop --batch-api to run it live.');
  }
  return { ...plan, record: { ...plan.record, settings: { ...plan.record.settings, batch: true } } };
}
