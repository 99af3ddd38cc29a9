import { describe, expect, it } from 'vitest';
import { PriceTable } from '../../src/telemetry/pricing.js';

// List prices per million tokens as Anthropic's pricing and model pages state them
// (input, output, 5-minute cache write, cache read); see docs/telemetry.md, "Prices".
const LISTED: [model: string, input: number, output: number, cacheWrite: number, cacheRead: number][] = [
  ['claude-fable-5-1', 10, 50, 12.5, 0.25],
  ['claude-fable-5', 10, 50, 12.5, 1],
  ['claude-opus-5-5', 4, 20, 5, 0.2],
  ['claude-opus-5', 5, 25, 6.25, 0.5],
  ['claude-opus-4-8', 5, 25, 6.25, 0.5],
  ['claude-opus-4-5-20251101', 5, 25, 6.25, 0.5],
  ['claude-opus-4-1-20250805', 15, 75, 18.75, 1.5],
  ['claude-opus-4-20250514', 15, 75, 18.75, 1.5],
  ['claude-sonnet-5-5', 2, 10, 2.5, 0.2],
  ['claude-sonnet-5', 2, 10, 2.5, 0.2],
  ['claude-sonnet-4-6', 3, 15, 3.75, 0.3],
  ['claude-sonnet-4-5-20250929', 3, 15, 3.75, 0.3],
  ['claude-3-7-sonnet-20250219', 3, 15, 3.75, 0.3],
  ['claude-haiku-5-5', 0.1, 0.5, 0.125, 0.01],
  ['claude-haiku-4-5-20251001', 1, 5, 1.25, 0.1],
  ['claude-3-5-haiku-20241022', 0.8, 4, 1, 0.08],
  ['claude-3-haiku-20240307', 0.25, 1.25, 0.3, 0.03],
];

const usage = { input_tokens: 1_000, output_tokens: 2_000, cache_creation_input_tokens: 3_000, cache_read_input_tokens: 4_000 };

describe('built-in prices', () => {
  const table = new PriceTable({});

  it.each(LISTED)('%s costs what the price list says', (model, input, output, cacheWrite, cacheRead) => {
    const expected = (1_000 * input + 2_000 * output + 3_000 * cacheWrite + 4_000 * cacheRead) / 1_000_000;
    expect(table.costOf(model, usage)).toBeCloseTo(expected, 12);
  });

  it('an unknown model has no price: null, never a guess', () => {
    expect(table.costOf('qwen2.5-coder-7b', usage)).toBeNull();
    expect(table.costOf('claude-local-alias', usage)).toBeNull();
  });

  it('Haiku 5.5 prompts over 100k tokens pay the higher tier on every token', () => {
    const small = { input_tokens: 60_000, output_tokens: 1_000, cache_read_input_tokens: 40_000 };
    const large = { input_tokens: 60_001, output_tokens: 1_000, cache_read_input_tokens: 40_000 };
    expect(table.costOf('claude-haiku-5-5', small)).toBeCloseTo((60_000 * 0.1 + 1_000 * 0.5 + 40_000 * 0.01) / 1e6, 12);
    expect(table.costOf('claude-haiku-5-5', large)).toBeCloseTo((60_001 * 0.5 + 1_000 * 2.5 + 40_000 * 0.05) / 1e6, 12);
  });

  it('Sonnet 4.5 above 200k prompt tokens pays the long-context price; Sonnet 4.6 does not', () => {
    const long = { input_tokens: 250_000, output_tokens: 1_000 };
    expect(table.costOf('claude-sonnet-4-5-20250929', long)).toBeCloseTo((250_000 * 6 + 1_000 * 22.5) / 1e6, 12);
    expect(table.costOf('claude-sonnet-4-6', long)).toBeCloseTo((250_000 * 3 + 1_000 * 15) / 1e6, 12);
  });
});

describe('configured prices', () => {
  it('win over the built-in ones and may price models the list does not know', () => {
    const table = new PriceTable({
      'claude-sonnet-5-5*': { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 },
      'my-gateway-*': { input: 2, output: 4, cacheWrite: 0, cacheRead: 0 },
    });
    expect(table.costOf('claude-sonnet-5-5', usage)).toBeCloseTo(10_000 / 1e6, 12);
    expect(table.costOf('my-gateway-large', { input_tokens: 500_000, output_tokens: 250_000 })).toBeCloseTo(2, 12);
    expect(table.costOf('claude-opus-5-5', usage)).toBeCloseTo((1_000 * 4 + 2_000 * 20 + 3_000 * 5 + 4_000 * 0.2) / 1e6, 12);
  });
});
