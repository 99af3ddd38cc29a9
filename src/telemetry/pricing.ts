import type { ModelPrice } from '../config/schema.js';
import type { Usage } from '../anthropic/types.js';

/** USD per million tokens. Sources and dates are given in the README's telemetry section. */
export const BUILTIN_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-*': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-sonnet-*': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-haiku-*': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
};

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** Looks up prices by model glob; configured entries win over built-in ones. Compiled once. */
export class PriceTable {
  private readonly entries: { pattern: RegExp; price: ModelPrice }[];

  constructor(configured: Readonly<Record<string, ModelPrice>>) {
    this.entries = [...Object.entries(configured), ...Object.entries(BUILTIN_PRICES)].map(([glob, price]) => ({ pattern: globToRegExp(glob), price }));
  }

  priceOf(model: string): ModelPrice | null {
    return this.entries.find((e) => e.pattern.test(model))?.price ?? null;
  }

  /** What these tokens cost (or would have cost) at Anthropic's prices for this model. */
  costOf(model: string, usage: Usage): number | null {
    const price = this.priceOf(model);
    if (!price) return null;
    const perToken =
      usage.input_tokens * price.input +
      usage.output_tokens * price.output +
      (usage.cache_creation_input_tokens ?? 0) * price.cacheWrite +
      (usage.cache_read_input_tokens ?? 0) * price.cacheRead;
    return perToken / 1_000_000;
  }
}
