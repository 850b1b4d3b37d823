import { UsageError } from '../errors.js';
import type { VariantSpec } from '../spec.js';

const VIDEO_HINT = 'Send video to an OpenAI-compatible server with a video model, such as vLLM: -m openai:<model> --base-url http://localhost:8000/v1.';

/**
 * Refuses, before anything is sent, a variant whose provider takes no video parts: Anthropic,
 * and OpenAI's own API (its chat completions have no `video_url` part). Any other OpenAI-compatible
 * endpoint (`--base-url`, `OPENAI_BASE_URL`) is trusted to take them, and the offline `echo` model
 * answers with the prompt's text.
 */
export function checkTakesVideo(variant: Pick<VariantSpec, 'provider' | 'model' | 'base_url'>): void {
  if (variant.provider === 'anthropic') {
    throw new UsageError(`--input-type video: ${variant.model} is an Anthropic model, and Anthropic's API does not take video.`, VIDEO_HINT);
  }
  if (variant.provider === 'openai' && isOpenAIItself(variant.base_url)) {
    throw new UsageError(`--input-type video: OpenAI's API does not take video (${variant.model}).`, VIDEO_HINT);
  }
}

/** The default endpoint, or one on api.openai.com. */
function isOpenAIItself(baseURL: string | null): boolean {
  if (baseURL === null) return true;
  try {
    return new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}
