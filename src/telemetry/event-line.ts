import { boundedText } from './bounded-event.js';
import { isTokenCount } from './event.js';
import { isCount, isObject, type Json } from '../shared/json.js';
import { isRoute, type Route } from '../shared/vocabulary.js';

/** The longest model name /stats reports (names are cut when written; this bounds older files). */
const MODEL_KEY_CHARS = 256;

/** The fields of one event line that statistics use, checked and normalised. */
export interface RecordedEvent {
  unixMs: number;
  route: Route;
  decidedRoute: Route;
  reason: string;
  fallbackReason: string | null;
  model: string;
  /** Claude Code's session (x-claude-code-session-id), when the client sent one. */
  sessionId: string | null;
  kind: string;
  success: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheCreationTokens: number | null;
  usageEstimated: boolean;
  estimatedRequestTokens: number | null;
  latencyMs: number;
  ttfbMs: number | null;
  costUsd: number | null;
  costSavedUsd: number | null;
  tokensSaved: number;
}

/**
 * `event`: one of ours. `legacy`: the predecessor's seed-only line (its numbers were claims, not
 * measurements, so they are counted but never added up). `foreign`: valid JSON of another kind.
 * `corrupt`: anything else, e.g. a line cut short by a full disk.
 */
export type ParsedLine = { type: 'event'; event: RecordedEvent } | { type: 'legacy' } | { type: 'foreign' } | { type: 'corrupt' } | { type: 'blank' };

const countOrNull = (v: unknown): number | null | undefined => (v === null || v === undefined ? null : isCount(v) ? v : undefined);
const amountOrNull = (v: unknown): number | null | undefined => (v === null || v === undefined ? null : typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const CORRUPT: ParsedLine = { type: 'corrupt' };

/** Reads one JSONL line without trusting it. */
export function parseEventLine(line: string): ParsedLine {
  if (line.trim() === '') return { type: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return CORRUPT;
  }
  if (!isObject(value)) return CORRUPT;
  if (value.event_type !== 'api_query_routed' || value.source !== 'claude_api_proxy') return { type: 'foreign' };
  const m = value.metadata;
  if (!isObject(m)) return CORRUPT;
  const route = m.routing_decision;
  if (!isRoute(route)) return CORRUPT;
  if (m.request_id === undefined) return { type: 'legacy' };
  const event = recordedEvent(m, route);
  return event ? { type: 'event', event } : CORRUPT;
}

function recordedEvent(m: Json, route: Route): RecordedEvent | null {
  const input = countOrNull(m.input_tokens);
  const output = countOrNull(m.output_tokens);
  const cacheRead = countOrNull(m.cache_read_input_tokens);
  const cacheCreation = countOrNull(m.cache_creation_input_tokens);
  const ttfb = countOrNull(m.ttfb_ms);
  const cost = amountOrNull(m.cost_usd);
  const saved = amountOrNull(m.cost_saved_usd);
  const estimate = isObject(m.estimate) && isCount(m.estimate.request) ? m.estimate.request : null;
  const fallback = m.fallback;
  if (
    typeof m.request_id !== 'string' ||
    !isCount(m.unix_ms) ||
    !isRoute(m.decided_route) ||
    typeof m.reason !== 'string' ||
    typeof m.model !== 'string' ||
    typeof m.success !== 'boolean' ||
    !isCount(m.latency_ms) ||
    !isCount(m.tokens_saved) ||
    input === undefined ||
    output === undefined ||
    cacheRead === undefined ||
    cacheCreation === undefined ||
    ttfb === undefined ||
    cost === undefined ||
    saved === undefined ||
    (fallback !== null && fallback !== undefined && !(isObject(fallback) && typeof fallback.reason === 'string'))
  ) {
    return null;
  }
  return {
    unixMs: m.unix_ms,
    route,
    decidedRoute: m.decided_route,
    reason: m.reason,
    fallbackReason: isObject(fallback) ? (fallback.reason as string) : null,
    // Files written before names were bounded may hold huge ones: /stats groups by a bounded key.
    model: boundedText(m.model, MODEL_KEY_CHARS),
    sessionId: typeof m.session_id === 'string' ? boundedText(m.session_id, MODEL_KEY_CHARS) : null,
    kind: isTokenCount({ kind: String(m.kind), path: String(m.path) }) ? 'count' : typeof m.kind === 'string' ? m.kind : 'other',
    success: m.success,
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: cacheRead,
    cacheCreationTokens: cacheCreation,
    usageEstimated: m.usage_estimated === true,
    estimatedRequestTokens: estimate,
    latencyMs: m.latency_ms,
    ttfbMs: ttfb,
    costUsd: cost,
    costSavedUsd: saved,
    tokensSaved: m.tokens_saved,
  };
}
