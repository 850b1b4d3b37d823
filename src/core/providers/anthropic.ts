import Anthropic from '@anthropic-ai/sdk';
import { classifySdkError } from './failure.js';
import { asResponse, describeBody, ResponseError, withoutKey } from './response.js';
import { sdkLogger } from './log.js';
import { createTransport } from './transport.js';
import { SCHEMA_NAME } from '../structured/request.js';
import { anthropicContent } from '../images/content.js';
import type { CallOptions, Completion, CompletionRequest, Provider } from './types.js';

/** Anthropic requires max_tokens; this is used when --max-tokens is not given. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** Anthropic's messages API. */
export class AnthropicProvider implements Provider {
  readonly id = 'anthropic' as const;
  private readonly client: Anthropic;

  private readonly apiKey: string;

  constructor(readonly model: string, options: { apiKey: string; baseURL?: string }) {
    this.apiKey = options.apiKey;
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, fetch: createTransport(), logger: sdkLogger(options.apiKey) });
  }

  async complete(request: CompletionRequest, options: CallOptions): Promise<Completion> {
    const response = await asResponse(this.client.messages.create(
      {
        model: this.model,
        max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        messages: [{ role: 'user', content: request.parts ? anthropicContent(request.parts) : request.prompt }],
        ...(request.system ? { system: request.system } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        // Structured output as a forced tool: the tool's input is the answer.
        ...(request.schema
          ? { tools: [{ name: SCHEMA_NAME, description: 'Give the answer.', input_schema: request.schema as Anthropic.Tool.InputSchema }], tool_choice: { type: 'tool' as const, name: SCHEMA_NAME } }
          : {}),
      },
      { signal: options.signal, timeout: options.timeoutMs, maxRetries: 0 },
    ));
    // The SDK returns whatever a 200 held: check it is a message before trusting it.
    const body = response as unknown as { content?: unknown; usage?: unknown };
    if (body === null || typeof body !== 'object' || !Array.isArray(body.content)) throw new ResponseError('bad-response', `the answer is ${describeBody(response)}, not a message`);
    if ((response.stop_reason as string) === 'refusal') throw new ResponseError('refusal', 'refused: the model declined to answer (stop_reason "refusal")');
    let text = '';
    for (const block of response.content) if (block.type === 'text') text += block.text;
    // With a forced tool the answer is the tool's input; a model that answered in text instead fails validation with its text kept.
    const tool = request.schema ? response.content.find((block) => block.type === 'tool_use') : undefined;
    if (tool && tool.type === 'tool_use') text = JSON.stringify(tool.input);
    return { text: withoutKey(text, this.apiKey), promptTokens: response.usage?.input_tokens ?? 0, completionTokens: response.usage?.output_tokens ?? 0 };
  }

  classify(error: unknown) {
    return classifySdkError(error, Anthropic, 'Anthropic');
  }
}
