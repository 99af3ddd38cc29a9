import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isTokenCount, type TelemetryEvent } from './event.js';

const PREFIX = 'claude_proxy_';
// From a cached local answer (milliseconds) to a long remote generation (minutes).
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** What the metrics read besides the events: the local backend's health and the telemetry writer. */
export interface MetricsSources {
  backend: string;
  healthy: () => boolean;
  telemetry: { written: number; failed: number };
}

/**
 * Prometheus metrics of one app instance, in a registry of its own (several servers can run in one
 * process, as the tests do). Process metrics start with the first scrape, so instances that are
 * never scraped cost nothing beyond their counters.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  private processMetrics = false;
  private readonly requests: Counter<'route' | 'reason' | 'status'>;
  private readonly duration: Histogram<'route'>;
  private readonly ttfb: Histogram<'route'>;
  private readonly tokens: Counter<'route' | 'type'>;
  private readonly tokensSaved: Counter;
  private readonly cost: Counter;
  private readonly costSaved: Counter;
  private readonly fallbacks: Counter<'reason'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.requests = new Counter({ name: `${PREFIX}requests_total`, help: 'Routed requests by route served, decision reason and HTTP status.', labelNames: ['route', 'reason', 'status'], registers });
    this.duration = new Histogram({ name: `${PREFIX}request_duration_seconds`, help: 'Time from request to the end of the answer, by route served.', labelNames: ['route'], buckets: SECONDS_BUCKETS, registers });
    this.ttfb = new Histogram({ name: `${PREFIX}time_to_first_byte_seconds`, help: 'Time until the first byte of the answer reached the client, by route served.', labelNames: ['route'], buckets: SECONDS_BUCKETS, registers });
    this.tokens = new Counter({ name: `${PREFIX}tokens_total`, help: 'Tokens of answered messages by route and type (input, output, cache_read, cache_creation).', labelNames: ['route', 'type'], registers });
    this.tokensSaved = new Counter({ name: `${PREFIX}tokens_saved_total`, help: 'Tokens answered locally that Anthropic would otherwise have billed.', registers });
    this.cost = new Counter({ name: `${PREFIX}cost_usd_total`, help: "Remote spend in USD at Anthropic's list prices.", registers });
    this.costSaved = new Counter({ name: `${PREFIX}cost_saved_usd_total`, help: "USD the local answers would have cost at the requested model's Anthropic price.", registers });
    this.fallbacks = new Counter({ name: `${PREFIX}fallbacks_total`, help: 'Local decisions served remotely after a local failure, by reason.', labelNames: ['reason'], registers });
    new Gauge({
      name: `${PREFIX}backend_healthy`,
      help: 'Whether the local backend is considered healthy (1) or not (0).',
      labelNames: ['backend'],
      registers,
      collect() {
        this.set({ backend: sources.backend }, sources.healthy() ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}telemetry_events`,
      help: 'Telemetry events written to disk, and lost to a failing disk, since start.',
      labelNames: ['result'],
      registers,
      collect() {
        this.set({ result: 'written' }, sources.telemetry.written);
        this.set({ result: 'lost' }, sources.telemetry.failed);
      },
    });
  }

  observe(event: TelemetryEvent): void {
    const m = event.metadata;
    const route = m.routing_decision;
    this.requests.inc({ route, reason: m.reason, status: String(m.status) });
    this.duration.observe({ route }, m.latency_ms / 1000);
    if (m.ttfb_ms !== null) this.ttfb.observe({ route }, m.ttfb_ms / 1000);
    if (!isTokenCount(m)) {
      const types = { input: m.input_tokens, output: m.output_tokens, cache_read: m.cache_read_input_tokens, cache_creation: m.cache_creation_input_tokens };
      for (const [type, value] of Object.entries(types)) if (value) this.tokens.inc({ route, type }, value);
    }
    if (m.tokens_saved > 0) this.tokensSaved.inc(m.tokens_saved);
    if (m.cost_usd) this.cost.inc(m.cost_usd);
    if (m.cost_saved_usd) this.costSaved.inc(m.cost_saved_usd);
    if (m.fallback) this.fallbacks.inc({ reason: m.fallback.reason });
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    if (!this.processMetrics) {
      this.processMetrics = true;
      collectDefaultMetrics({ register: this.registry });
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
