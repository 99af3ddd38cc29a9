import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Route } from '../shared/vocabulary.js';
import type { RequestSignals } from './classify.js';
import type { RequestEstimate } from './estimate.js';
import type { ReasonCode } from './reasons.js';
import { firstMatch, type CompiledRule, type RuleFacts } from './rule-match.js';
import type { Decision, DecisionDetails, Estimate } from './types.js';

/** The header a client may send to force a route (when routing.allowHeaderOverride). */
const ROUTE_HEADER = 'x-claude-proxy-route';

/** The max_tokens values Claude Code always sends (per model, and for its non-streaming retry): not a user's choice. */
const CLAUDE_CODE_MAX_TOKENS: ReadonlySet<number> = new Set([32_000, 64_000, 128_000]);

/** Efforts that ask for the strongest reasoning. */
const HIGH_EFFORTS: ReadonlySet<string> = new Set(['high', 'max']);

/**
 * Reasons that mean the turn itself needed the remote model: after one of them a Claude Code
 * session stays remote for routing.stickySessionMinutes.
 */
export const ESCALATIONS: ReadonlySet<string> = new Set<ReasonCode>(['complex_query', 'high_effort', 'max_tokens', 'context_overflow', 'images_unsupported', 'rule']);

/** Everything the policy looks at for one request, already read and estimated. */
export interface PolicyInput {
  model: string;
  /** The model is one of local.aliases. */
  alias: boolean;
  headers: IncomingHttpHeaders;
  now: Date;
  query: string;
  signals: RequestSignals;
  /** Raw estimate (for fitting the local window) and the calibrated figures (for thresholds and rules). */
  raw: RequestEstimate;
  estimate: Estimate;
  family: string;
  factor: number;
  localFactor: number;
  localEnabled: boolean;
  localHealthy: boolean;
  /** The route that produced the tool calls this request answers, if remembered. */
  pinned: Route | null;
  /** Until when (ms since epoch) this request's session stays remote, if it escalated. */
  stickyUntil: number | null;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Whether max_tokens counts: never (off), always (strict), or unless it is a value Claude Code always sends. */
function maxTokensCounted(config: Config['routing'], signals: RequestSignals): boolean {
  if (signals.maxTokens === null || config.maxTokensRule === 'off') return false;
  if (config.maxTokensRule === 'strict') return true;
  return !(signals.claudeCode && CLAUDE_CODE_MAX_TOKENS.has(signals.maxTokens));
}

function routeOverride(headers: IncomingHttpHeaders): Route | null {
  const raw = headers[ROUTE_HEADER];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim().toLowerCase();
  return value === 'local' || value === 'remote' ? value : null;
}

/** The routing policy: overrides, pins, rules, stickiness, then the seed's thresholds with Claude-Code-aware signals. */
export function decidePolicy(config: Config, rules: readonly CompiledRule[], input: PolicyInput): Decision {
  const routing = config.routing;
  const { signals, raw, estimate } = input;
  const basisTokens = estimate[routing.basis];
  const fitTokens = Math.round((raw.request - (config.local.tools === 'always' ? 0 : raw.tools)) * input.localFactor);
  const fits = fitTokens + routing.answerReserveTokens <= config.local.contextWindow;
  const details: DecisionDetails = {
    client: signals.claudeCode ? 'claude-code' : 'other',
    basis: routing.basis,
    basisTokens,
    thresholds: { simple: routing.simpleQueryTokens, complex: routing.complexQueryTokens },
    maxTokens: { value: signals.maxTokens, limit: routing.maxTokensRemote, rule: routing.maxTokensRule, counted: maxTokensCounted(routing, signals) },
    effort: signals.effort,
    images: raw.images,
    calibration: { family: input.family, factor: round3(input.factor) },
    local: {
      enabled: input.localEnabled,
      healthy: input.localHealthy,
      fitTokens,
      reserve: routing.answerReserveTokens,
      contextWindow: config.local.contextWindow,
      fits,
    },
    rule: null,
  };
  const decision = (route: Route, reason: ReasonCode): Decision => ({
    route,
    reason,
    // A rule that hands back to the policy (route: default) did not decide; details still name it.
    rule: details.rule !== null && details.rule.route !== 'default' ? details.rule.name : null,
    kind: signals.kind,
    estimate,
    details,
  });
  /** A local candidate goes local only if the backend can take it; otherwise it goes up, saying why. */
  const localIfPossible = (reason: ReasonCode): Decision => {
    if (!input.localEnabled) return decision('remote', 'local_disabled');
    if (!input.localHealthy) return decision('remote', 'local_unhealthy');
    if (raw.images > 0 && !config.local.vision) return decision('remote', 'images_unsupported');
    if (!fits) return decision('remote', 'context_overflow');
    return decision('local', reason);
  };

  if (input.alias) return decision('local', 'local_alias');

  if (routing.allowHeaderOverride) {
    const forced = routeOverride(input.headers);
    if (forced) {
      details.override = forced;
      return decision(forced, 'header_override');
    }
  }

  if (signals.messageKind === 'tool-loop' && input.pinned) {
    details.pinned = input.pinned;
    return input.pinned === 'local' ? localIfPossible('tool_loop_pinned') : decision('remote', 'tool_loop_pinned');
  }

  const facts: RuleFacts = {
    model: input.model,
    kind: signals.kind,
    messageKind: signals.messageKind,
    estimate,
    tools: signals.tools,
    images: raw.images > 0,
    thinking: signals.thinking,
    query: input.query,
    headers: input.headers,
    now: input.now,
  };
  const rule = firstMatch(rules, facts);
  if (rule) {
    details.rule = { index: rule.index, name: rule.name, route: rule.route };
    if (rule.route === 'remote') return decision('remote', 'rule');
    if (rule.route === 'local') return localIfPossible('rule');
  }

  if (signals.messageKind !== 'background' && input.stickyUntil !== null && input.stickyUntil > input.now.getTime()) {
    details.stickyUntil = new Date(input.stickyUntil).toISOString();
    return decision('remote', 'sticky_session');
  }

  switch (signals.messageKind) {
    case 'tool-loop':
      // Nobody remembers which backend made these tool calls (a restart, or a pin forgotten): go up.
      return decision('remote', 'tool_loop_unpinned');
    case 'background':
      return localIfPossible('background');
    default:
      break;
  }
  if (routing.highEffortRemote && signals.effort !== null && HIGH_EFFORTS.has(signals.effort)) return decision('remote', 'high_effort');
  if (details.maxTokens.counted && (signals.maxTokens ?? 0) > routing.maxTokensRemote) return decision('remote', 'max_tokens');
  if (basisTokens > routing.complexQueryTokens) return decision('remote', 'complex_query');
  return localIfPossible(basisTokens < routing.simpleQueryTokens ? 'simple_query' : 'medium_query');
}
