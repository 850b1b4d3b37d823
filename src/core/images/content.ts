import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import type { PromptPart } from '../providers/types.js';

/**
 * A prompt with media as OpenAI chat content parts: text, `image_url` (a URL, or the bytes as a
 * base64 data: URL), and `video_url` in the same shape, as vLLM and other OpenAI-compatible
 * servers with video models take it (OpenAI's own API has no video part; `create` refuses it).
 */
export function openaiContent(parts: readonly PromptPart[]): OpenAI.Chat.ChatCompletionContentPart[] {
  return parts.map((part) => {
    if (typeof part === 'string') return { type: 'text', text: part };
    const url = 'url' in part ? part.url : `data:${part.mediaType};base64,${part.data}`;
    // The SDK's types know no video part; the server reads it from the JSON as sent.
    return part.type === 'video'
      ? ({ type: 'video_url', video_url: { url } } as unknown as OpenAI.Chat.ChatCompletionContentPart)
      : { type: 'image_url', image_url: { url } };
  });
}

/** A prompt with images as Anthropic content blocks: text, and `image` (a URL source, or base64 bytes). Anthropic takes no video (`create` refuses it). */
export function anthropicContent(parts: readonly PromptPart[]): Anthropic.ContentBlockParam[] {
  return parts.map((part) => {
    if (typeof part === 'string') return { type: 'text', text: part };
    if (part.type === 'video') throw new Error('Anthropic takes no video parts (refused at create).');
    return { type: 'image', source: 'url' in part ? { type: 'url', url: part.url } : { type: 'base64', media_type: part.mediaType, data: part.data } };
  });
}
