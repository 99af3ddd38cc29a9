import type { RequestKind } from '../config/schema.js';
import type { Route } from '../shared/vocabulary.js';

export type { Route };

/** The seed's fields, byte-compatible: readers of the old files keep working. */
export interface SeedMetadata {
  routing_decision: Route;
  estimated_tokens: number;
  tokens_saved: number;
  model: string;
  success: boolean;
}

/** Everything we add beside the seed's fields. Prompt text appears only when telemetry.logPrompts is on. */
export interface ProxyMetadata extends SeedMetadata {
  request_id: string;
  /** Claude Code's session id (the x-claude-code-session-id header), null for other clients. */
  session_id: string | null;
  unix_ms: number;
  path: string;
  kind: RequestKind;
  /** The route the policy chose; `routing_decision` is the route that actually served. */
  decided_route: Route;
  reason: string;
  rule: string | null;
  fallback: { from: Route; reason: string } | null;
  backend: string;
  model_served: string | null;
  stream: boolean;
  status: number;
  stop_reason: string | null;
  error_type: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_input_tokens: number | null;
  cache_creation_input_tokens: number | null;
  /** True when the token numbers were counted by the proxy rather than reported by a backend. */
  usage_estimated: boolean;
  estimate: { query: number; conversation: number; request: number };
  latency_ms: number;
  ttfb_ms: number | null;
  cost_usd: number | null;
  cost_saved_usd: number | null;
  /** The task classifier's verdict on a new prompt (score and features, never its text); absent for other requests and in older files. */
  task?: { complexity: string; score: number; features: Readonly<Record<string, number>> };
  /** Local route only: what preparation changed (tools stripped, RAG, dropped fields); never prompt text. */
  preparation: Record<string, unknown> | null;
  query_text?: string;
}

export interface TelemetryEvent {
  timestamp: string;
  event_type: 'api_query_routed';
  source: 'claude_api_proxy';
  metadata: ProxyMetadata;
}


/** Token counting (count_tokens) is free on Anthropic: it costs nothing, saves nothing, and bills no tokens. */
export function isTokenCount(metadata: { kind: string; path: string }): boolean {
  return metadata.kind === 'count' || metadata.path.endsWith('/count_tokens');
}
