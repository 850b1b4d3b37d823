import type { CallOptions, Completion, CompletionRequest, Failure, Provider } from './types.js';

/**
 * The offline model: answers every row with its rendered prompt, with no key, no network and
 * no cost. For trying evalctl, checking a template, and the README's quickstart. Token counts
 * are estimated at four characters a token.
 */
export class EchoProvider implements Provider {
  readonly id = 'echo' as const;
  readonly model = 'echo';
  readonly releasesSignal = true;

  async complete(request: CompletionRequest, options: CallOptions): Promise<Completion> {
    options.signal.throwIfAborted();
    return {
      text: request.prompt,
      promptTokens: estimateTokens((request.system ?? '') + request.prompt),
      completionTokens: estimateTokens(request.prompt),
    };
  }

  classify(error: unknown): Failure {
    return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
  }
}

/** The usual rule of thumb: about four characters of English per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
