import { dimensionsToSend } from '../embeddings/spec.js';
import { anthropicContent, openaiContent } from '../images/content.js';
import type { PromptPart } from '../providers/types.js';
import { ANTHROPIC_DEFAULT_MAX_TOKENS } from '../providers/anthropic.js';
import type { VariantSpec } from '../spec.js';
import { SCHEMA_NAME } from '../structured/request.js';
import { strictSchema } from '../structured/strict.js';
import { customId, groupId } from './types.js';

/** Reasoning models take `max_completion_tokens` and only the default temperature (as in providers/openai.ts). */
const REASONING = /^(o\d|gpt-5)/;

/** The endpoint OpenAI chat batch requests go to. */
export const OPENAI_BATCH_ENDPOINT = '/v1/chat/completions';
/** The endpoint OpenAI embeddings batch requests go to (a batch has one endpoint: these go in batches of their own). */
export const OPENAI_EMBEDDINGS_ENDPOINT = '/v1/embeddings';

/**
 * One line of an embeddings batch request file: the request a live run sends for several rows of
 * an embedding variant (grouped as `batchEmbeddings` groups them), `custom_id` naming its rows.
 */
export function embeddingLine(variant: VariantSpec, index: number, rows: readonly number[], inputs: readonly string[]): string {
  const dimensions = dimensionsToSend(variant.model, variant.dimensions);
  const body = { model: variant.model, input: inputs, encoding_format: 'float', ...(dimensions !== undefined ? { dimensions } : {}) };
  return JSON.stringify({ custom_id: groupId(index, rows), method: 'POST', url: OPENAI_EMBEDDINGS_ENDPOINT, body });
}

/**
 * One line of a batch request file: the same request a live run sends for (row, variant),
 * in the provider's batch shape (OpenAI: `{custom_id, method, url, body}`; Anthropic: `{custom_id, params}`).
 * With `parts` (`--input-type image`, images read) the user message is text and images as live
 * sends them (OpenAI content parts, Anthropic blocks), else `prompt`.
 */
export function requestLine(variant: VariantSpec, row: number, index: number, prompt: string, parts?: readonly PromptPart[]): string {
  const id = customId(row, index);
  if (variant.provider === 'anthropic') {
    const params = {
      model: variant.model,
      max_tokens: variant.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: [{ role: 'user', content: parts ? anthropicContent(parts) : prompt }],
      ...(variant.system ? { system: variant.system } : {}),
      temperature: variant.temperature,
      // Structured output as a forced tool, as providers/anthropic.ts sends it live.
      ...(variant.schema
        ? { tools: [{ name: SCHEMA_NAME, description: 'Give the answer.', input_schema: variant.schema }], tool_choice: { type: 'tool', name: SCHEMA_NAME } }
        : {}),
    };
    return JSON.stringify({ custom_id: id, params });
  }
  const reasoning = REASONING.test(variant.model);
  const user = { role: 'user', content: parts ? openaiContent(parts) : prompt };
  const messages = variant.system ? [{ role: 'system', content: variant.system }, user] : [user];
  const body = {
    model: variant.model,
    messages,
    // Structured output as a strict json_schema, as providers/openai.ts sends it live.
    ...(variant.schema ? { response_format: { type: 'json_schema', json_schema: { name: SCHEMA_NAME, schema: strictSchema(variant.schema), strict: true } } } : {}),
    ...(reasoning ? {} : { temperature: variant.temperature }),
    ...(variant.max_tokens !== null ? (reasoning ? { max_completion_tokens: variant.max_tokens } : { max_tokens: variant.max_tokens }) : {}),
  };
  return JSON.stringify({ custom_id: id, method: 'POST', url: OPENAI_BATCH_ENDPOINT, body });
}
