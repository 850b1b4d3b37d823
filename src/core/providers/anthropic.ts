import Anthropic from '@anthropic-ai/sdk';
import { classifySdkError } from './failure.js';
import { sdkLogger } from './log.js';
import { createTransport } from './transport.js';
import type { CallOptions, Completion, CompletionRequest, Provider } from './types.js';

/** Anthropic requires max_tokens; this is used when --max-tokens is not given. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** Anthropic's messages API. */
export class AnthropicProvider implements Provider {
  readonly id = 'anthropic' as const;
  private readonly client: Anthropic;

  constructor(readonly model: string, options: { apiKey: string; baseURL?: string }) {
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, fetch: createTransport(), logger: sdkLogger(options.apiKey) });
  }

  async complete(request: CompletionRequest, options: CallOptions): Promise<Completion> {
    const response = await this.client.messages.create(
      {
        model: this.model,
        max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        messages: [{ role: 'user', content: request.prompt }],
        ...(request.system ? { system: request.system } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      },
      { signal: options.signal, timeout: options.timeoutMs, maxRetries: 0 },
    );
    let text = '';
    for (const block of response.content) if (block.type === 'text') text += block.text;
    return { text, promptTokens: response.usage.input_tokens, completionTokens: response.usage.output_tokens };
  }

  classify(error: unknown) {
    return classifySdkError(error, Anthropic, 'Anthropic');
  }
}
