import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import type { PromptPart } from '../providers/types.js';

/** A prompt with images as OpenAI chat content parts: text, and `image_url` (a URL, or the bytes as a base64 data: URL). */
export function openaiContent(parts: readonly PromptPart[]): OpenAI.Chat.ChatCompletionContentPart[] {
  return parts.map((part) => typeof part === 'string'
    ? { type: 'text', text: part }
    : { type: 'image_url', image_url: { url: 'url' in part ? part.url : `data:${part.mediaType};base64,${part.data}` } });
}

/** A prompt with images as Anthropic content blocks: text, and `image` (a URL source, or base64 bytes). */
export function anthropicContent(parts: readonly PromptPart[]): Anthropic.ContentBlockParam[] {
  return parts.map((part) => typeof part === 'string'
    ? { type: 'text', text: part }
    : { type: 'image', source: 'url' in part ? { type: 'url', url: part.url } : { type: 'base64', media_type: part.mediaType, data: part.data } });
}
