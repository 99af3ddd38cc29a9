import type { ModelPrice } from '../config/schema.js';
import type { Usage } from '../anthropic/types.js';
import { globToRegExp } from '../shared/regex.js';
import { promptTokens } from '../shared/tokens.js';

type Prices = Pick<ModelPrice, 'input' | 'output' | 'cacheWrite' | 'cacheRead'>;

const price = (input: number, output: number, cacheWrite: number, cacheRead: number): Prices => ({ input, output, cacheWrite, cacheRead });

// Anthropic's list prices, USD per million tokens (source and date: docs/telemetry.md, "Prices").
// Ordered: the first glob that matches wins, so specific versions come before their family.
const OPUS_45 = price(5, 25, 6.25, 0.5);
const OPUS_4 = price(15, 75, 18.75, 1.5);
const SONNET_45: ModelPrice = { ...price(3, 15, 3.75, 0.3), longPrompt: { aboveTokens: 200_000, ...price(6, 22.5, 7.5, 0.6) } };
const SONNET_5 = price(2, 10, 2.5, 0.2);
const FABLE_5 = price(10, 50, 12.5, 1);

export const BUILTIN_PRICES: readonly (readonly [glob: string, price: ModelPrice])[] = [
  ['claude-fable-5-1*', price(10, 50, 12.5, 0.25)],
  ['claude-mythos-5-1*', price(10, 50, 12.5, 0.25)],
  ['claude-fable-5*', FABLE_5],
  ['claude-mythos-5*', FABLE_5],
  ['claude-opus-5-5*', price(4, 20, 5, 0.2)],
  ['claude-opus-5*', OPUS_45],
  ['claude-opus-4-8*', OPUS_45],
  ['claude-opus-4-7*', OPUS_45],
  ['claude-opus-4-6*', OPUS_45],
  ['claude-opus-4-5*', OPUS_45],
  ['claude-opus-4*', OPUS_4],
  ['claude-3-opus*', OPUS_4],
  ['claude-sonnet-5-5*', SONNET_5],
  ['claude-sonnet-5*', SONNET_5],
  ['claude-sonnet-4-6*', price(3, 15, 3.75, 0.3)],
  ['claude-sonnet-4*', SONNET_45],
  ['claude-3-7-sonnet*', price(3, 15, 3.75, 0.3)],
  ['claude-3-5-sonnet*', price(3, 15, 3.75, 0.3)],
  ['claude-haiku-5-5*', { ...price(0.1, 0.5, 0.125, 0.01), longPrompt: { aboveTokens: 100_000, ...price(0.5, 2.5, 0.625, 0.05) } }],
  ['claude-haiku-4-5*', price(1, 5, 1.25, 0.1)],
  ['claude-3-5-haiku*', price(0.8, 4, 1, 0.08)],
  ['claude-3-haiku*', price(0.25, 1.25, 0.3, 0.03)],
];

/** Looks up prices by model glob; configured entries win over built-in ones. Compiled once. */
export class PriceTable {
  private readonly entries: { pattern: RegExp; price: ModelPrice }[];

  constructor(configured: Readonly<Record<string, ModelPrice>>) {
    this.entries = [...Object.entries(configured), ...BUILTIN_PRICES].map(([glob, p]) => ({ pattern: globToRegExp(glob), price: p }));
  }

  priceOf(model: string): ModelPrice | null {
    return this.entries.find((e) => e.pattern.test(model))?.price ?? null;
  }

  /** What these tokens cost (or would have cost) at Anthropic's prices for this model; null for an unknown model. */
  costOf(model: string, usage: Usage): number | null {
    const listed = this.priceOf(model);
    if (!listed) return null;
    const p: Prices = listed.longPrompt && promptTokens(usage) > listed.longPrompt.aboveTokens ? listed.longPrompt : listed;
    const micro =
      usage.input_tokens * p.input +
      usage.output_tokens * p.output +
      (usage.cache_creation_input_tokens ?? 0) * p.cacheWrite +
      (usage.cache_read_input_tokens ?? 0) * p.cacheRead;
    return micro / 1_000_000;
  }
}
