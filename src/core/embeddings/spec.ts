import { UsageError } from '../errors.js';
import type { ProviderId } from '../providers/types.js';
import { imageOutput } from '../imagegen/spec.js';

/** What a variant writes: the answer text (default), an embedding vector, or a generated image (see `imageOutput`). */
export type OutputType = 'text' | 'embeddings' | 'image';
export const OUTPUT_TYPES: readonly OutputType[] = ['text', 'embeddings', 'image'];

/** OpenAI's limits on one embeddings request: inputs, and tokens over all of them. */
export const MAX_INPUTS = 2048;
export const MAX_REQUEST_TOKENS = 300_000;

/** Vector lengths of the known embedding models (what they return without `dimensions`). */
const DEFAULT_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/**
 * The `dimensions` to send: none when it is the known model's own length (text-embedding-ada-002
 * refuses the parameter), else the one asked for.
 */
export function dimensionsToSend(model: string, dimensions: number | null | undefined): number | undefined {
  if (dimensions === null || dimensions === undefined || DEFAULT_DIMENSIONS[model] === dimensions) return undefined;
  return dimensions;
}

/** Models that take `dimensions` (shorter vectors), with their longest. */
const SHORTENABLE = /^text-embedding-3-/;

/**
 * A variant's output type and vector length: `--output-type embeddings`, or implied by an
 * OpenAI embedding model (`text-embedding-*`). The length is `--dimensions`, else the known
 * model's; unknown (null) for another server's model without `--dimensions`, whose vectors are
 * then a list of any length.
 */
export function resolveOutput(choice: { provider: ProviderId; model: string }, outputType: OutputType | undefined, dimensions: number | undefined): { output_type: OutputType; dimensions: number | null } {
  const image = imageOutput(choice, outputType, dimensions);
  if (image) return { ...image, dimensions: null };
  const embeddingModel = /^text-embedding-/.test(choice.model);
  const type = outputType ?? (embeddingModel ? 'embeddings' : 'text');
  if (type === 'text') {
    if (embeddingModel) throw new UsageError(`${choice.model} is an embedding model; it cannot answer prompts.`, 'Drop --output-type text to write its vectors, or use a chat model such as gpt-4o-mini.');
    if (dimensions !== undefined) throw new UsageError('--dimensions goes with --output-type embeddings.');
    return { output_type: 'text', dimensions: null };
  }
  if (choice.provider !== 'openai') {
    throw new UsageError(`${choice.model} cannot write embeddings: evalctl takes them from OpenAI and OpenAI-compatible endpoints only.`, 'Use text-embedding-3-small, or openai:<model> with --base-url for Ollama, vLLM or TEI.');
  }
  const known = DEFAULT_DIMENSIONS[choice.model];
  if (dimensions !== undefined && known !== undefined && (!SHORTENABLE.test(choice.model) || dimensions > known)) {
    throw new UsageError(`${choice.model} cannot give ${dimensions}-dimension vectors${SHORTENABLE.test(choice.model) ? ` (at most ${known})` : ' (it has no --dimensions)'}.`);
  }
  return { output_type: 'embeddings', dimensions: dimensions ?? known ?? null };
}
