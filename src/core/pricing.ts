/** USD per million tokens, and optionally credits per token (as the hosted services bill). */
export interface Price {
  readonly input: number;
  readonly output: number;
  readonly creditsPerToken?: number;
  /** The price through the provider's batch API (`--batch-api`); absent: `BATCH_DISCOUNT` of this one. */
  readonly batch?: { readonly input: number; readonly output: number };
}

/** What the batch APIs of OpenAI and Anthropic charge, as a share of the live price: half. */
export const BATCH_DISCOUNT = 0.5;

/**
 * List prices in USD per million tokens (standard tier, no cache discounts), as
 * published by OpenAI and Anthropic. A dated model id (`gpt-4o-mini-2024-07-18`,
 * `claude-sonnet-4-5-20250929`) takes its family's price. Override or add models under
 * `pricing` in .evalrc. Every model here costs half through its provider's batch API
 * (`BATCH_DISCOUNT`); a price may say otherwise with `batch`.
 */
export const PRICES: Readonly<Record<string, Price>> = {
  // OpenAI
  'gpt-4o': { input: 2.5, output: 10 },
  // Oxen.ai bills gpt-4o-mini at 6e-7 credits per token (see shared/reference).
  'gpt-4o-mini': { input: 0.15, output: 0.6, creditsPerToken: 6e-7 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5.1': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
  // Image generation: text input and image output tokens (DALL-E bills per image: unknown here).
  'gpt-image-1': { input: 5, output: 40 },
  'gpt-image-1-mini': { input: 2, output: 8 },
  // Anthropic
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  // The offline model is free.
  echo: { input: 0, output: 0 },
};

/** A snapshot suffix: `-2024-07-18`, `-20250929`, `-0125`, `-latest`. */
const SNAPSHOT = /^-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest)$/;

/**
 * The price of `model`: an override from config first, then the built-in table; an exact id,
 * else the known id it is a snapshot of (`gpt-4o-mini-2024-07-18` -> `gpt-4o-mini`). Other
 * suffixes are other models (`o3-pro` costs ten times `o3`), so they are unknown.
 * Undefined when unknown (a local model): cost is then reported as unknown, not as zero.
 */
export function priceFor(model: string, overrides: Readonly<Record<string, Price>> = {}): Price | undefined {
  const table: Record<string, Price> = { ...PRICES, ...overrides };
  if (Object.hasOwn(table, model)) return table[model];
  const family = Object.keys(table).find((id) => model.startsWith(id) && SNAPSHOT.test(model.slice(id.length)));
  return family === undefined ? undefined : table[family];
}

/** Cost in USD of one call; 0 when the price is unknown (the run reports cost as unknown). */
export function costOf(price: Price | undefined, promptTokens: number, completionTokens: number): number {
  if (!price) return 0;
  return (promptTokens * price.input + completionTokens * price.output) / 1_000_000;
}

/** Credits for a token count, when the price defines a credits-per-token rate. */
export function creditsOf(price: Price | undefined, tokens: number): number | null {
  return price?.creditsPerToken === undefined ? null : tokens * price.creditsPerToken;
}

/** The price of the same tokens sent through the provider's batch API. */
export function batchPrice(price: Price | undefined): Price | undefined {
  if (!price) return undefined;
  const batch = price.batch ?? { input: price.input * BATCH_DISCOUNT, output: price.output * BATCH_DISCOUNT };
  return { input: batch.input, output: batch.output, ...(price.creditsPerToken === undefined ? {} : { creditsPerToken: price.creditsPerToken * BATCH_DISCOUNT }) };
}
