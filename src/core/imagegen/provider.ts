import OpenAI from 'openai';
import { classifySdkError } from '../providers/failure.js';
import { asResponse, describeBody, ResponseError } from '../providers/response.js';
import { sdkLogger } from '../providers/log.js';
import { createTransport } from '../providers/transport.js';
import type { CallOptions, Completion, CompletionRequest, Provider } from '../providers/types.js';
import { sniffImage } from '../images/sniff.js';
import { EXTENSIONS, imageStem, removePartialImages, writeImage } from './files.js';

/** Where a variant's images go: the job's images folder, and the variant's name when the job has several. */
export interface ImageTarget {
  readonly folder: string;
  readonly variant?: string;
}

/**
 * Image generation through OpenAI's Images API (`images.generate`), or a server that speaks it:
 * one image a row from its rendered prompt, asked for as base64 (`b64_json`; the GPT image models
 * always answer so, DALL-E needs `response_format`). Each image is written to the images folder
 * as it arrives, and the answer is its relative path, so the answer log records it and `resume`
 * never asks for it again. Tokens are the usage the GPT image models report (DALL-E reports none).
 */
export class ImageGenProvider implements Provider {
  readonly id = 'openai' as const;
  private readonly client: OpenAI;

  constructor(readonly model: string, options: { apiKey: string; baseURL?: string }, private readonly target: ImageTarget) {
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, fetch: createTransport(), logger: sdkLogger(options.apiKey) });
    removePartialImages(target.folder);
  }

  async complete(request: CompletionRequest, options: CallOptions): Promise<Completion> {
    const response = await asResponse(this.client.images.generate(
      { model: this.model, prompt: request.prompt, n: 1, ...(/^dall-e-/.test(this.model) ? { response_format: 'b64_json' as const } : {}) },
      { signal: options.signal, timeout: options.timeoutMs, maxRetries: 0 },
    ));
    const body = response as unknown as { data?: unknown };
    if (body === null || typeof body !== 'object' || !Array.isArray(body.data)) throw new ResponseError('bad-response', `the answer is ${describeBody(response)}, not generated images`);
    const b64 = response.data?.[0]?.b64_json;
    if (typeof b64 !== 'string' || b64 === '') throw new ResponseError('bad-response', response.data?.[0]?.url ? 'the answer is an image URL, not base64 (b64_json) bytes' : 'the answer holds no image');
    const bytes = Buffer.from(b64, 'base64');
    const type = sniffImage(bytes);
    if (!type) throw new ResponseError('bad-response', 'the answer is not a PNG, JPEG, GIF or WebP image');
    const path = writeImage(this.target.folder, `${imageStem(request.row ?? 0, this.target.variant)}.${EXTENSIONS[type]}`, bytes);
    return { text: path, promptTokens: response.usage?.input_tokens ?? 0, completionTokens: response.usage?.output_tokens ?? 0 };
  }

  classify(error: unknown) {
    return classifySdkError(error, OpenAI, 'OpenAI');
  }
}
