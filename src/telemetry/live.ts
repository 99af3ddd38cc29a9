import type { BaseLogger } from 'pino';
import type { Config } from '../config/schema.js';
import type { TelemetryEvent } from './event.js';
import { collectStats, type StatsQuery } from './collect-stats.js';
import { ProxyMetrics } from './metrics.js';
import { RecentDecisions } from './recent.js';
import { RetentionSweeper } from './retention.js';
import type { StatsReport } from './stats.js';

/** What a running server offers the telemetry side (a subset of the app context). */
export interface LiveSources {
  config: Config;
  now: () => Date;
  local: { backend: string; healthy(): boolean };
  telemetry: { counters: { written: number; failed: number }; flush(): Promise<void> };
  onEvent?: (event: TelemetryEvent) => void;
}

/** How long GET /stats reuses a report at least: the dashboard polls, the files need not be re-read each time. */
const STATS_CACHE_MS = 5_000;
/** A large directory is re-read at most this often relative to how long reading it takes (≤ 10% of a core). */
const STATS_CACHE_FACTOR = 10;

/**
 * The telemetry of one running server: Prometheus metrics, the recent decisions, a short-lived cache
 * of the file statistics, and the daily retention sweep. Observing an event is a few counter
 * increments; nothing here touches the disk on the request path.
 */
export class LiveTelemetry {
  readonly metrics: ProxyMetrics;
  readonly recent = new RecentDecisions();
  private readonly retention: RetentionSweeper | null;
  private cached: { at: number; ttl: number; report: StatsReport } | null = null;
  private pending: Promise<StatsReport> | null = null;
  /** Filtered reports being computed, by filter: concurrent asks for the same one share the work. */
  private readonly pendingFiltered = new Map<string, Promise<StatsReport>>();
  private observerFailed = false;

  constructor(
    private readonly sources: LiveSources,
    private readonly log: Pick<BaseLogger, 'info' | 'warn'>,
  ) {
    this.metrics = new ProxyMetrics({ backend: sources.local.backend, healthy: () => sources.local.healthy(), telemetry: sources.telemetry.counters });
    const t = sources.config.telemetry;
    this.retention = t.enabled ? new RetentionSweeper(t.dir, t.retentionDays, log, sources.now) : null;
  }

  /** The same context, with every event also counted here (after whatever observer it had). */
  attach<C extends LiveSources>(ctx: C): C {
    const previous = ctx.onEvent;
    return {
      ...ctx,
      onEvent: (event: TelemetryEvent) => {
        this.observe(event);
        previous?.(event);
      },
    };
  }

  observe(event: TelemetryEvent): void {
    try {
      this.metrics.observe(event);
      this.recent.add(event);
    } catch (error) {
      // Counting must never fail a request; say so once.
      if (!this.observerFailed) this.log.warn({ err: error }, 'telemetry metrics could not count an event');
      this.observerFailed = true;
    }
  }

  start(): void {
    this.retention?.start();
  }

  async close(): Promise<void> {
    await this.retention?.stop();
  }

  /**
   * Statistics over the configured directory; the unfiltered report is cached for a few seconds.
   * `shareKey` names a filtered one as the asker wrote it ("30d" is a new instant every time), so
   * concurrent asks share one computation.
   */
  async stats(filter: Pick<StatsQuery, 'since' | 'until' | 'by' | 'bucket'> = { since: null, until: null, by: null }, shareKey = JSON.stringify(filter)): Promise<StatsReport> {
    const query: StatsQuery = { dir: this.sources.config.telemetry.dir, now: this.sources.now(), ...filter };
    if (filter.since || filter.until || filter.by || (filter.bucket ?? 'auto') !== 'auto') {
      let report = this.pendingFiltered.get(shareKey);
      if (report === undefined) {
        report = this.sources.telemetry
          .flush()
          .then(() => collectStats(query))
          .finally(() => this.pendingFiltered.delete(shareKey));
        this.pendingFiltered.set(shareKey, report);
      }
      return report;
    }
    if (this.cached && Date.now() - this.cached.at < this.cached.ttl) return this.cached.report;
    const started = Date.now();
    this.pending ??= this.sources.telemetry
      .flush()
      .then(() => collectStats(query))
      .then((report) => {
        const at = Date.now();
        this.cached = { at, ttl: Math.max(STATS_CACHE_MS, (at - started) * STATS_CACHE_FACTOR), report };
        return report;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
