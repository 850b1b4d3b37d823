import OpenAI from 'openai';
import { classifySdkError } from './failure.js';
import { asResponse, describeBody, ResponseError, withoutKey } from './response.js';
import { sdkLogger } from './log.js';
import { createTransport } from './transport.js';
import type { CallOptions, Completion, CompletionRequest, Provider } from './types.js';

/** Reasoning models take `max_completion_tokens` and only the default temperature. */
const REASONING = /^(o\d|gpt-5)/;

/** OpenAI's chat completions, or any server that speaks them (Ollama, vLLM, LM Studio, gateways). */
export class OpenAIProvider implements Provider {
  readonly id = 'openai' as const;
  private readonly client: OpenAI;

  private readonly apiKey: string;

  constructor(readonly model: string, options: { apiKey: string; baseURL?: string }) {
    this.apiKey = options.apiKey;
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, fetch: createTransport(), logger: sdkLogger(options.apiKey) });
  }

  async complete(request: CompletionRequest, options: CallOptions): Promise<Completion> {
    const reasoning = REASONING.test(this.model);
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = request.system
      ? [{ role: 'system', content: request.system }, { role: 'user', content: request.prompt }]
      : [{ role: 'user', content: request.prompt }];
    const response = await asResponse(this.client.chat.completions.create(
      {
        model: this.model,
        messages,
        ...(request.temperature !== undefined && !reasoning ? { temperature: request.temperature } : {}),
        ...(request.maxTokens !== undefined
          ? reasoning ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }
          : {}),
      },
      { signal: options.signal, timeout: options.timeoutMs, maxRetries: 0 },
    ));
    // The SDK returns whatever a 200 held: check it is a chat completion before trusting it.
    const body = response as unknown as { choices?: unknown };
    if (body === null || typeof body !== 'object' || !Array.isArray(body.choices)) throw new ResponseError('bad-response', `the answer is ${describeBody(response)}, not a chat completion`);
    const choice = response.choices[0];
    if (!choice) throw new ResponseError('bad-response', 'the answer has no choices');
    const content = choice.message?.content;
    if (choice.finish_reason === 'content_filter' || (typeof content !== 'string' && choice.message?.refusal)) {
      throw new ResponseError('refusal', `refused: ${choice.message?.refusal ?? 'the content filter stopped the answer'}`);
    }
    if (typeof content !== 'string') throw new ResponseError('bad-response', 'the answer has no content (null)');
    return {
      text: withoutKey(content, this.apiKey),
      promptTokens: response.usage?.prompt_tokens ?? 0,
      completionTokens: response.usage?.completion_tokens ?? 0,
    };
  }

  classify(error: unknown) {
    return classifySdkError(error, OpenAI, 'OpenAI');
  }
}
