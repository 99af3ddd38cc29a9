import type { ProxyMetadata, Route, TelemetryEvent } from './event.js';

/** One routed request as the dashboard lists it; never any prompt text. */
export interface RecentDecision {
  at: string;
  request_id: string;
  session_id: string | null;
  kind: string;
  model: string;
  model_served: string | null;
  route: Route;
  decided_route: Route;
  reason: string;
  rule: string | null;
  fallback: string | null;
  status: number;
  success: boolean;
  input_tokens: number | null;
  output_tokens: number | null;
  usage_estimated: boolean;
  latency_ms: number;
  ttfb_ms: number | null;
  cost_usd: number | null;
  cost_saved_usd: number | null;
}

/** The dashboard's view of one event's metadata. */
function decisionOf(m: ProxyMetadata): RecentDecision {
  return {
    at: new Date(m.unix_ms).toISOString(),
    request_id: m.request_id,
    session_id: m.session_id,
    kind: m.kind,
    model: m.model,
    model_served: m.model_served,
    route: m.routing_decision,
    decided_route: m.decided_route,
    reason: m.reason,
    rule: m.rule,
    fallback: m.fallback?.reason ?? null,
    status: m.status,
    success: m.success,
    input_tokens: m.input_tokens,
    output_tokens: m.output_tokens,
    usage_estimated: m.usage_estimated,
    latency_ms: m.latency_ms,
    ttfb_ms: m.ttfb_ms,
    cost_usd: m.cost_usd,
    cost_saved_usd: m.cost_saved_usd,
  };
}

/**
 * The last N decisions, kept in memory as their events' metadata (a correction from the dashboard
 * needs the classifier's features); newest first when read, shaped only then.
 */
export class RecentDecisions {
  private readonly ring: (ProxyMetadata | undefined)[];
  private next = 0;

  constructor(readonly capacity = 50) {
    this.ring = new Array<ProxyMetadata | undefined>(capacity);
  }

  add(event: TelemetryEvent): void {
    this.ring[this.next] = event.metadata;
    this.next = (this.next + 1) % this.capacity;
  }

  list(): RecentDecision[] {
    const out: RecentDecision[] = [];
    for (let i = 1; i <= this.capacity; i++) {
      const entry = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (entry) out.push(decisionOf(entry));
    }
    return out;
  }

  /** The metadata of a request still in the ring, or null. */
  find(requestId: string): ProxyMetadata | null {
    return this.ring.find((m) => m?.request_id === requestId) ?? null;
  }
}
