import type { RequestKind } from '../config/schema.js';
import { emptySummary, type AnswerSummary } from '../anthropic/usage.js';
import type { Decision, Estimate } from '../routing/types.js';
import type { Route, TelemetryEvent } from '../telemetry/event.js';
import { seedTimestamp } from '../telemetry/json-line.js';
import type { PriceTable } from '../telemetry/pricing.js';

const NO_ESTIMATE: Estimate = { query: 0, conversation: 0, request: 0 };

/** What happened to one routed request, filled in as it flows; becomes one telemetry event. */
export class Exchange {
  readonly startedAt: Date;
  private readonly startedMs = performance.now();
  decision: Decision | null = null;
  route: Route = 'remote';
  backend = 'anthropic';
  fallback: { from: Route; reason: string } | null = null;
  summary: AnswerSummary = emptySummary();
  usageEstimated = false;
  status = 0;
  ttfbMs: number | null = null;
  stream = false;
  queryText: string | undefined;

  constructor(
    readonly id: string,
    readonly path: string,
    readonly model: string,
    now: Date,
  ) {
    this.startedAt = now;
  }

  /** Marks the moment the first byte of the answer went to the client. */
  firstByte(): void {
    this.ttfbMs ??= this.elapsed();
  }

  elapsed(): number {
    return Math.round((performance.now() - this.startedMs) * 100) / 100;
  }

  get success(): boolean {
    return this.status >= 200 && this.status < 300 && this.summary.errorType === null && (this.summary.complete || !this.stream);
  }

  toEvent(prices: PriceTable): TelemetryEvent {
    const usage = this.summary.usage;
    const decision = this.decision;
    const kind: RequestKind = decision?.kind ?? 'other';
    const estimate = decision?.estimate ?? NO_ESTIMATE;
    const cost = usage ? prices.costOf(this.model, usage) : null;
    const servedLocally = this.route === 'local' && this.success;
    const tokensSaved = servedLocally && usage ? usage.input_tokens + usage.output_tokens : 0;
    return {
      timestamp: seedTimestamp(this.startedAt),
      event_type: 'api_query_routed',
      source: 'claude_api_proxy',
      metadata: {
        routing_decision: this.route,
        estimated_tokens: estimate.request,
        tokens_saved: tokensSaved,
        model: this.model,
        success: this.success,
        request_id: this.id,
        unix_ms: this.startedAt.getTime(),
        path: this.path,
        kind,
        decided_route: decision?.route ?? this.route,
        reason: decision?.reason ?? 'passthrough',
        rule: decision?.rule ?? null,
        fallback: this.fallback,
        backend: this.backend,
        model_served: this.summary.servedModel,
        stream: this.stream,
        status: this.status,
        stop_reason: this.summary.stopReason,
        error_type: this.summary.errorType,
        input_tokens: usage?.input_tokens ?? null,
        output_tokens: usage?.output_tokens ?? null,
        cache_read_input_tokens: usage?.cache_read_input_tokens ?? null,
        cache_creation_input_tokens: usage?.cache_creation_input_tokens ?? null,
        usage_estimated: this.usageEstimated,
        estimate,
        latency_ms: this.elapsed(),
        ttfb_ms: this.ttfbMs,
        cost_usd: this.route === 'remote' ? cost : 0,
        cost_saved_usd: servedLocally ? cost : 0,
        ...(this.queryText !== undefined ? { query_text: this.queryText } : {}),
      },
    };
  }
}
