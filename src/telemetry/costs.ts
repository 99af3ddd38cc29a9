import type { Usage } from '../anthropic/types.js';
import { totalTokens } from '../shared/tokens.js';
import type { Route } from '../shared/vocabulary.js';
import type { PriceTable } from './pricing.js';

/** What one answer cost and saved, by the rules telemetry counts with. */
export interface Costs {
  costUsd: number | null;
  costSavedUsd: number | null;
  tokensSaved: number;
}

/** The facts of one served request the cost rules read. */
export interface Served {
  route: Route;
  /** Token counting (count_tokens), which Anthropic does not bill. */
  tokenCount: boolean;
  success: boolean;
  /** The model the client asked for. */
  model: string;
  /** The model that answered, when the answer named one. */
  servedModel: string | null;
  usage: Usage | null;
}

const NOTHING: Costs = { costUsd: 0, costSavedUsd: 0, tokensSaved: 0 };

/**
 * What Anthropic billed (remote) and what a local answer would have cost there at the requested
 * model's price. Only real answers count: a failed local answer saved nothing, token counting is
 * free, and an unknown model or missing usage gives null rather than a guess.
 */
export function costsOf(served: Served, prices: PriceTable): Costs {
  const { usage } = served;
  if (served.tokenCount) return NOTHING;
  if (served.route === 'remote') {
    const costUsd = usage ? prices.costOf(served.servedModel ?? served.model, usage) : served.success ? null : 0;
    return { costUsd, costSavedUsd: 0, tokensSaved: 0 };
  }
  if (!served.success || !usage) return NOTHING;
  return { costUsd: 0, costSavedUsd: prices.costOf(served.model, usage), tokensSaved: totalTokens(usage) };
}
