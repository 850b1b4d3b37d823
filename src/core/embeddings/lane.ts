import type { VariantSpec } from '../spec.js';
import { dimensionsToSend } from './spec.js';

/**
 * What an embedding variant's lane changes: `embedding` (batched through `embed`, `dimensions`
 * sent where it changes anything, every vector checked to be `length` long), and no cache or
 * in-run deduplication, which are keyed by one prompt per request.
 */
export function embeddingLane(variant: Pick<VariantSpec, 'model' | 'output_type' | 'dimensions'>): { embedding: { dimensions?: number; length?: number }; scope: undefined; cache: false } | Record<string, never> {
  if (variant.output_type !== 'embeddings') return {};
  const dimensions = dimensionsToSend(variant.model, variant.dimensions);
  return { embedding: { ...(dimensions ? { dimensions } : {}), ...(variant.dimensions ? { length: variant.dimensions } : {}) }, scope: undefined, cache: false };
}
