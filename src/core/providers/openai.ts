import type OpenAI from 'openai';
import { classifySdkError } from './failure.js';
import { asResponse, describeBody, ResponseError, withoutKey } from './response.js';
import { sdkLogger } from './log.js';
import { createTransport } from './transport.js';
import { createAgents } from './http-exchange.js';
import { DirectChat } from './openai-chat.js';
import { loadedOpenAI, loadOpenAI, openaiConfig, type OpenAIConfig } from './openai-sdk.js';
import { promptWithSchema, rejectsResponseFormat, SCHEMA_NAME } from '../structured/request.js';
import { strictSchema } from '../structured/strict.js';
import { openaiContent } from '../images/content.js';
import type { BatchProvider, CallOptions, Completion, CompletionRequest, EmbeddingRequest } from './types.js';

/** Reasoning models take `max_completion_tokens` and only the default temperature. */
const REASONING = /^(o\d|gpt-5)/;

/** OpenAI's chat completions, or any server that speaks them (Ollama, vLLM, LM Studio, gateways). */
export class OpenAIProvider implements BatchProvider {
  readonly id = 'openai' as const;
  private readonly config: OpenAIConfig;
  private readonly agents = createAgents();
  /** The SDK's client, made on first need (embeddings, the SDK's path). */
  private sdkClient?: Promise<OpenAI>;
  /** Set once the server refused `response_format`: the schema goes in the prompt from then on. */
  private schemaInPrompt = false;

  /** Chat completions sent without the SDK's request path (see DirectChat); undefined: through the SDK. */
  private readonly direct?: DirectChat;

  /**
   * `via: 'sdk'` sends chat completions through the SDK's request path too; it is also taken
   * when the SDK's own request logs are asked for (`OPENAI_LOG=info` or `debug`).
   */
  constructor(readonly model: string, options: { apiKey: string; baseURL?: string; via?: 'direct' | 'sdk' }) {
    this.config = openaiConfig(options);
    const logging = this.config.logLevel === 'debug' || this.config.logLevel === 'info';
    if (options.via !== 'sdk' && !logging) this.direct = new DirectChat(this.config, this.agents);
  }

  private client(): Promise<OpenAI> {
    const { apiKey, baseURL } = this.config;
    this.sdkClient ??= loadOpenAI().then((OpenAI) => new OpenAI({ apiKey, baseURL, maxRetries: 0, fetch: createTransport({ agents: this.agents }), logger: sdkLogger(apiKey) }));
    return this.sdkClient;
  }

  async complete(request: CompletionRequest, options: CallOptions): Promise<Completion> {
    try {
      return await this.send(request, options);
    } catch (error) {
      // A server without structured outputs: once, fall back to the schema in the prompt.
      const sdk = loadedOpenAI();
      if (!request.schema || this.schemaInPrompt || !sdk || !(error instanceof sdk.APIError) || !rejectsResponseFormat(error.status, error.message)) throw error;
      this.schemaInPrompt = true;
      return this.send(request, options);
    }
  }

  private async send(request: CompletionRequest, options: CallOptions): Promise<Completion> {
    const reasoning = REASONING.test(this.model);
    const { schema } = request;
    const text = schema && this.schemaInPrompt ? promptWithSchema(request.prompt, schema) : request.prompt;
    // With images the prompt is its parts (the schema, when it must go in the prompt, as a last text part).
    const prompt = request.parts
      ? openaiContent(schema && this.schemaInPrompt ? [...request.parts, promptWithSchema('', schema)] : request.parts)
      : text;
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = request.system
      ? [{ role: 'system', content: request.system }, { role: 'user', content: prompt }]
      : [{ role: 'user', content: prompt }];
    const params: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
      model: this.model,
      messages,
      ...(schema && !this.schemaInPrompt
        ? { response_format: { type: 'json_schema' as const, json_schema: { name: SCHEMA_NAME, schema: strictSchema(schema), strict: true } } }
        : {}),
      ...(request.temperature !== undefined && !reasoning ? { temperature: request.temperature } : {}),
      ...(request.maxTokens !== undefined
        ? reasoning ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }
        : {}),
    };
    const response = await asResponse(this.direct
      ? this.direct.create(params, options) as Promise<OpenAI.Chat.ChatCompletion>
      : (await this.client()).chat.completions.create(params, { signal: options.signal, timeout: options.timeoutMs, maxRetries: 0 }));
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
      text: withoutKey(content, this.config.apiKey),
      promptTokens: response.usage?.prompt_tokens ?? 0,
      completionTokens: response.usage?.completion_tokens ?? 0,
    };
  }

  /** OpenAI's embeddings, or any compatible endpoint (Ollama, vLLM, TEI): one vector per input, in order. */
  async embed(request: EmbeddingRequest, options: CallOptions): Promise<Completion> {
    const response = await asResponse((await this.client()).embeddings.create(
      { model: this.model, input: [...request.inputs], encoding_format: 'float', ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}) },
      { signal: options.signal, timeout: options.timeoutMs, maxRetries: 0 },
    ));
    const body = response as unknown as { data?: unknown };
    if (body === null || typeof body !== 'object' || !Array.isArray(body.data)) throw new ResponseError('bad-response', `the answer is ${describeBody(response)}, not a list of embeddings`);
    const vectors: string[] = new Array(request.inputs.length);
    for (const item of response.data) {
      if (Number.isInteger(item.index) && item.index >= 0 && item.index < vectors.length && Array.isArray(item.embedding)) vectors[item.index] = JSON.stringify(item.embedding);
    }
    if (vectors.includes(undefined as never) || response.data.length !== request.inputs.length) {
      throw new ResponseError('bad-response', `the answer has ${response.data.length} embeddings for ${request.inputs.length} inputs`);
    }
    return { text: '', texts: vectors, promptTokens: response.usage?.prompt_tokens ?? 0, completionTokens: 0 };
  }

  /** Chat completions sent directly add no listener they leave behind (see `exchange`); the SDK's path does. */
  get releasesSignal(): boolean {
    return this.direct !== undefined;
  }

  classify(error: unknown) {
    return classifySdkError(error, loadedOpenAI(), 'OpenAI');
  }
}
