import { UsageError } from '../errors.js';
import type { ProviderId } from '../providers/types.js';

/** OpenAI's image-generation models: `gpt-image-1`, `gpt-image-1-mini`, `dall-e-3`, `dall-e-2`. */
export const IMAGE_MODELS = /^(gpt-image-|dall-e-)/;

/**
 * Output tokens of one generated image for the dry run and the budget's first guess: gpt-image-1
 * bills a 1024x1024 image at 272 (low quality) to 4,160 (high) tokens. DALL-E bills per image,
 * not per token: its cost is unknown to evalctl.
 */
export const IMAGE_OUTPUT_TOKENS = { low: 272, high: 4160 } as const;

/**
 * A variant's output when it generates images: `--output-type image`, or implied by an image
 * model (`gpt-image-*`, `dall-e-*`). Undefined when the variant writes text or embeddings.
 * Throws when the model cannot go with the output type asked for.
 */
export function imageOutput(choice: { provider: ProviderId; model: string }, outputType: string | undefined, dimensions: number | undefined): { output_type: 'image' } | undefined {
  const imageModel = IMAGE_MODELS.test(choice.model);
  if (outputType !== 'image' && !(imageModel && outputType === undefined)) {
    if (imageModel) throw new UsageError(`${choice.model} is an image-generation model; it cannot write ${outputType}.`, `Drop --output-type ${outputType} to write its images, or use a chat model such as gpt-4o-mini.`);
    return undefined;
  }
  if (/^text-embedding-/.test(choice.model)) throw new UsageError(`${choice.model} is an embedding model; it cannot generate images.`, 'Use an image model such as gpt-image-1 or dall-e-3.');
  if (choice.provider !== 'openai') {
    throw new UsageError(
      `${choice.model} cannot generate images: ${choice.provider === 'anthropic' ? 'Anthropic has no image-generation API' : 'the offline model has none'}.`,
      'Use gpt-image-1 or dall-e-3 (OpenAI), or openai:<model> with --base-url for a server that speaks the OpenAI Images API.',
    );
  }
  if (dimensions !== undefined) throw new UsageError('--dimensions goes with --output-type embeddings, not image.');
  return { output_type: 'image' };
}

/** What a job asks that image generation cannot go with, as one usage line; undefined when all can. */
export function imageOutputConflict(spec: {
  variants: readonly { output_type?: string; schema?: unknown; system: string | null }[];
  input_type?: string;
  output_format: string;
  judge?: unknown;
  pairwise?: unknown;
}, request: { output?: string; embedImages?: boolean; batchApi?: boolean }): string | undefined {
  const generating = spec.variants.some((v) => v.output_type === 'image');
  if (!generating) return request.embedImages ? '--embed-images goes with --output-type image (generated images).' : undefined;
  if (spec.variants.some((v) => v.schema)) return '--output-type image cannot go with --schema or --structured.';
  if (spec.variants.some((v) => v.system)) return '--output-type image cannot go with --system: the Images API takes the prompt alone.';
  if (spec.input_type === 'image' || spec.input_type === 'video') return `--output-type image cannot go with --input-type ${spec.input_type} (image edits are not supported).`;
  if (spec.judge || spec.pairwise) return `--output-type image cannot go with ${spec.judge ? '--judge' : '--pairwise'}: the answers are image files.`;
  if (request.batchApi) return '--batch-api does not support --output-type image.';
  if (request.output === '-' || request.output?.startsWith('s3://')) return `--output-type image writes its images beside the output file, so it cannot go with -o ${request.output === '-' ? '-' : 's3://'}.`;
  if (request.embedImages && spec.output_format !== 'parquet') return `--embed-images needs a parquet output (-o out.parquet); a ${spec.output_format} output holds the image paths alone.`;
  return undefined;
}
