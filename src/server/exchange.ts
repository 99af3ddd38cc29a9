import type { RequestKind } from '../config/schema.js';
import { emptySummary, type AnswerSummary } from '../anthropic/usage.js';
import type { Decision, Estimate } from '../routing/types.js';
import { isTokenCount, type ProxyMetadata, type Route, type TelemetryEvent } from '../telemetry/event.js';
import { seedTimestamp } from '../telemetry/json-line.js';
import type { PriceTable } from '../telemetry/pricing.js';

const NO_ESTIMATE: Estimate = { query: 0, conversation: 0, request: 0 };

function taskOf(decision: Decision | null): Pick<ProxyMetadata, 'task'> {
  const task = decision?.details.task;
  return task ? { task: { complexity: task.complexity, score: task.score, features: task.features } } : {};
}

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
  /** What preparing the local request did (tools stripped, RAG used, fields dropped). */
  preparation: Record<string, unknown> | null = null;

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

  /**
   * What Anthropic billed (remote) and what a local answer would have cost there at the requested
   * model's price. Only real answers count: a failed local answer saved nothing, token counting is
   * free, and an unknown model or missing usage gives null rather than a guess.
   */
  private costs(prices: PriceTable, kind: RequestKind): { costUsd: number | null; costSavedUsd: number | null; tokensSaved: number } {
    const usage = this.summary.usage;
    if (isTokenCount({ kind, path: this.path })) return { costUsd: 0, costSavedUsd: 0, tokensSaved: 0 };
    if (this.route === 'remote') {
      const costUsd = usage ? prices.costOf(this.summary.servedModel ?? this.model, usage) : this.success ? null : 0;
      return { costUsd, costSavedUsd: 0, tokensSaved: 0 };
    }
    if (!this.success || !usage) return { costUsd: 0, costSavedUsd: 0, tokensSaved: 0 };
    const tokensSaved = usage.input_tokens + usage.output_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
    return { costUsd: 0, costSavedUsd: prices.costOf(this.model, usage), tokensSaved };
  }

  toEvent(prices: PriceTable): TelemetryEvent {
    const usage = this.summary.usage;
    const decision = this.decision;
    const kind: RequestKind = decision?.kind ?? 'other';
    const estimate = decision?.estimate ?? NO_ESTIMATE;
    const { costUsd, costSavedUsd, tokensSaved } = this.costs(prices, kind);
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
        cost_usd: costUsd,
        cost_saved_usd: costSavedUsd,
        ...taskOf(decision),
        preparation: this.preparation,
        ...(this.queryText !== undefined ? { query_text: this.queryText } : {}),
      },
    };
  }
}
