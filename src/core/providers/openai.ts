import OpenAI from 'openai';
import { classifySdkError } from './failure.js';
import { sdkLogger } from './log.js';
import { createTransport } from './transport.js';
import type { CallOptions, Completion, CompletionRequest, Provider } from './types.js';

/** Reasoning models take `max_completion_tokens` and only the default temperature. */
const REASONING = /^(o\d|gpt-5)/;

/** OpenAI's chat completions, or any server that speaks them (Ollama, vLLM, LM Studio, gateways). */
export class OpenAIProvider implements Provider {
  readonly id = 'openai' as const;
  private readonly client: OpenAI;

  constructor(readonly model: string, options: { apiKey: string; baseURL?: string }) {
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, fetch: createTransport(), logger: sdkLogger(options.apiKey) });
  }

  async complete(request: CompletionRequest, options: CallOptions): Promise<Completion> {
    const reasoning = REASONING.test(this.model);
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = request.system
      ? [{ role: 'system', content: request.system }, { role: 'user', content: request.prompt }]
      : [{ role: 'user', content: request.prompt }];
    const response = await this.client.chat.completions.create(
      {
        model: this.model,
        messages,
        ...(request.temperature !== undefined && !reasoning ? { temperature: request.temperature } : {}),
        ...(request.maxTokens !== undefined
          ? reasoning ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }
          : {}),
      },
      { signal: options.signal, timeout: options.timeoutMs, maxRetries: 0 },
    );
    const choice = response.choices[0];
    return {
      text: choice?.message?.content ?? choice?.message?.refusal ?? '',
      promptTokens: response.usage?.prompt_tokens ?? 0,
      completionTokens: response.usage?.completion_tokens ?? 0,
    };
  }

  classify(error: unknown) {
    return classifySdkError(error, OpenAI, 'OpenAI');
  }
}
