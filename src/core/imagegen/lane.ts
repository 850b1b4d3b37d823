import { apiKeyFor, type ModelChoice } from '../models.js';
import type { Provider } from '../providers/types.js';
import type { JobSpec, VariantSpec } from '../spec.js';
import { IMAGE_OUTPUT_TOKENS } from './spec.js';

/**
 * What an image-generating variant's lane changes: no response cache and no in-run
 * deduplication (each row gets its own file; a cached path could name a file since deleted), and
 * `maxTokens` set to an image's most output tokens, which the Images API never sees but the
 * budget and pacing estimate each request by.
 */
export function imageLane(variant: Pick<VariantSpec, 'output_type'>): { scope: undefined; request: { maxTokens: number } } | Record<string, never> {
  if (variant.output_type !== 'image') return {};
  return { scope: undefined, request: { maxTokens: IMAGE_OUTPUT_TOKENS.high } };
}

/** The provider of an image-generating variant, writing into the job's images folder (its SDK loaded only now). */
export async function imageProvider(choice: ModelChoice, env: NodeJS.ProcessEnv, spec: Pick<JobSpec, 'images_dir' | 'variants'>, variant: string): Promise<Provider> {
  const { ImageGenProvider } = await import('./provider.js');
  if (spec.images_dir === undefined) throw new Error('An image-generating job has no images folder (images_dir).');
  return new ImageGenProvider(choice.model, { apiKey: apiKeyFor(choice, env), baseURL: choice.baseURL }, {
    folder: spec.images_dir,
    ...(spec.variants.length > 1 ? { variant } : {}),
  });
}
