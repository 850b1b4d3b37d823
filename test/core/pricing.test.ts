import { describe, expect, it } from 'vitest';
import { costOf, creditsOf, priceFor, PRICES } from '../../src/core/pricing.js';

describe('priceFor', () => {
  it.each([
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4o', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['gpt-4.1-2025-04-14', 'gpt-4.1'],
    ['gpt-5-mini-2025-08-07', 'gpt-5-mini'],
    ['o3-mini-2025-01-31', 'o3-mini'],
    ['o1-2024-12-17', 'o1'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
    ['claude-3-5-haiku-20241022', 'claude-3-5-haiku'],
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    ['gpt-3.5-turbo-0125', 'gpt-3.5-turbo'],
    ['echo', 'echo'],
  ])('%s costs as %s', (model, family) => {
    expect(priceFor(model)).toEqual(PRICES[family]);
  });

  // Other suffixes are other models at other prices (o3-pro costs ten times o3): unknown, not guessed.
  it.each(['llama3.1', 'gpt-4o-minimal', 'o3-pro', 'o1-pro-2025-03-19', 'gpt-5-pro', 'gpt-4o-mini-tts', 'gpt4o', 'claude', 'mistral-large', '', 'GPT-4O'])('%j is unknown', (model) => {
    expect(priceFor(model)).toBeUndefined();
  });

  it('lets an override replace a built-in price, exact and for dated ids', () => {
    const overrides = { 'gpt-4o-mini': { input: 1, output: 2 } };
    expect(priceFor('gpt-4o-mini', overrides)).toEqual({ input: 1, output: 2 });
    expect(priceFor('gpt-4o-mini-2024-07-18', overrides)).toEqual({ input: 1, output: 2 });
    expect(priceFor('gpt-4o', overrides)).toEqual(PRICES['gpt-4o']);
  });

  it('prices a model the table does not know through an override', () => {
    expect(priceFor('llama3.1', { 'llama3.1': { input: 0, output: 0 } })).toEqual({ input: 0, output: 0 });
  });

  it('prefers the longest known family for a dated id', () => {
    const overrides = { 'my-model': { input: 1, output: 1 }, 'my-model-large': { input: 9, output: 9 } };
    expect(priceFor('my-model-large-2025', overrides)?.input).toBe(9);
    expect(priceFor('my-model-20250101', overrides)?.input).toBe(1);
  });

  it('does not price ids inherited from Object.prototype', () => {
    expect(priceFor('constructor')).toBeUndefined();
    expect(priceFor('toString')).toBeUndefined();
    expect(priceFor('__proto__')).toBeUndefined();
  });
});

describe('costOf and creditsOf', () => {
  it.each([
    // [price, prompt tokens, completion tokens, USD]
    [{ input: 0.15, output: 0.6 }, 1_000_000, 0, 0.15],
    [{ input: 0.15, output: 0.6 }, 0, 1_000_000, 0.6],
    [{ input: 0.15, output: 0.6 }, 1000, 500, 0.00045],
    [{ input: 3, output: 15 }, 12, 7, 0.000141],
    [{ input: 0, output: 0 }, 5000, 5000, 0],
  ])('%j for %i + %i tokens is $%f', (price, prompt, completion, usd) => {
    expect(costOf(price, prompt, completion)).toBeCloseTo(usd, 12);
  });

  it('is 0 for an unknown price (the run then reports cost as unknown)', () => {
    expect(costOf(undefined, 1000, 1000)).toBe(0);
  });

  it('counts credits only where the price defines a rate', () => {
    expect(creditsOf(PRICES['gpt-4o-mini'], 1_000_000)).toBeCloseTo(0.6, 12);
    expect(creditsOf(PRICES['gpt-4o'], 1_000_000)).toBeNull();
    expect(creditsOf(undefined, 10)).toBeNull();
  });
});
