import type { Route } from './event.js';
import type { RecordedEvent } from './event-line.js';
import { localDate } from './json-line.js';
import { round, Samples, type Distribution } from './samples.js';
import { ROUTES } from '../shared/vocabulary.js';

export const GROUP_BY = ['day', 'model', 'route', 'reason', 'session'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
export const isGroupBy = (value: string): value is GroupBy => (GROUP_BY as readonly string[]).includes(value);

/** Timeline granularity; `auto` is hourly up to two days of events and daily beyond. */
export const BUCKETS = ['auto', '5m', 'hour', 'day'] as const;
export type BucketSize = (typeof BUCKETS)[number];

/** The group key of requests that carried no Claude Code session header. */
export const NO_SESSION = '(no session)';

const HOUR_MS = 3_600_000;
/** The finest timeline step; every offset of a real time zone is a multiple of it. */
const SLOT_MS = 300_000;
/** Up to this span the timeline has one point per hour, beyond it one per day. */
const HOURLY_SPAN_MS = 48 * HOUR_MS;

export interface TokenCounts {
  input: number;
  output: number;
  cache_read: number;
  cache_creation: number;
}

export interface Totals {
  requests: number;
  served_local: number;
  served_remote: number;
  local_percent: number | null;
  /** Requests the policy sent to the local route; fallbacks are counted against these. */
  decided_local: number;
  fallbacks: number;
  fallback_percent: number | null;
  fallback_reasons: Record<string, number>;
  failed: number;
  tokens: TokenCounts;
  /** Tokens answered locally that Anthropic would otherwise have billed. */
  tokens_saved: number;
  /** The part of tokens_saved whose usage the proxy counted itself (the backend reported none). */
  tokens_saved_estimated: number;
  cost_usd: number;
  cost_saved_usd: number;
  /** Requests whose cost or saving is unknown (a model without a price, or no usage). */
  unpriced: number;
  /** Remote requests that read part of their prompt from Anthropic's prompt cache. */
  cached_requests: number;
  cache_hit_percent: number | null;
}

export interface RouteStats {
  requests: number;
  /** Tokens of answered messages on this route (token counting requests excluded: they are free). */
  tokens: TokenCounts;
  latency_ms: Distribution | null;
  ttfb_ms: Distribution | null;
}

/** How far the proxy's token estimate was from the real prompt size (positive: estimated too high). */
export interface EstimateError {
  samples: number;
  mean_abs_percent: number;
  median_percent: number;
  p90_abs_percent: number;
}

export interface TimelinePoint {
  start: string;
  unix_ms: number;
  requests: number;
  local: number;
  remote: number;
  fallbacks: number;
  tokens_saved: number;
  cost_usd: number;
  cost_saved_usd: number;
}

export interface GroupRow {
  key: string;
  requests: number;
  local: number;
  remote: number;
  local_percent: number | null;
  fallbacks: number;
  failed: number;
  input_tokens: number;
  output_tokens: number;
  tokens_saved: number;
  cost_usd: number;
  cost_saved_usd: number;
  latency_p50_ms: number | null;
  latency_p90_ms: number | null;
  first_event_at: string;
  last_event_at: string;
}

export interface StatsReport {
  generated_at: string;
  dir: string;
  range: { since: string | null; until: string | null; first_event_at: string | null; last_event_at: string | null };
  files: { event_files: number; event_bytes: number; dir_bytes: number; read: number; unreadable: number };
  lines: { events: number; corrupt: number; legacy: number; foreign: number; out_of_range: number };
  totals: Totals;
  routes: Record<Route, RouteStats>;
  reasons: Record<string, number>;
  /** Why the requests Anthropic answered did not stay local: the decision's reason, or `fallback:<local failure>`. */
  remote_because: Record<string, number>;
  estimate_error: Record<Route, EstimateError | null>;
  timeline: { bucket: Exclude<BucketSize, 'auto'>; points: TimelinePoint[] };
  groups?: { by: GroupBy; rows: GroupRow[] };
}

const percent = (part: number, whole: number): number | null => (whole > 0 ? round((part / whole) * 100, 2) : null);
const usd = (value: number): number => round(value, 6);

/** Counters shared by the totals and each group row. */
class Tally {
  requests = 0;
  local = 0;
  remote = 0;
  decidedLocal = 0;
  fallbacks = 0;
  failed = 0;
  input = 0;
  output = 0;
  cacheRead = 0;
  cacheCreation = 0;
  tokensSaved = 0;
  tokensSavedEstimated = 0;
  costUsd = 0;
  costSavedUsd = 0;
  unpriced = 0;
  cachedRequests = 0;
  remotePrompt = 0;
  remoteCacheRead = 0;

  add(e: RecordedEvent): void {
    this.requests++;
    if (e.route === 'local') this.local++;
    else this.remote++;
    if (e.decidedRoute === 'local') this.decidedLocal++;
    if (e.fallbackReason !== null) this.fallbacks++;
    if (!e.success) this.failed++;
    if (e.kind !== 'count') {
      this.input += e.inputTokens ?? 0;
      this.output += e.outputTokens ?? 0;
      this.cacheRead += e.cacheReadTokens ?? 0;
      this.cacheCreation += e.cacheCreationTokens ?? 0;
    }
    this.tokensSaved += e.tokensSaved;
    if (e.usageEstimated) this.tokensSavedEstimated += e.tokensSaved;
    this.costUsd += e.costUsd ?? 0;
    this.costSavedUsd += e.costSavedUsd ?? 0;
    if (e.costUsd === null || e.costSavedUsd === null) this.unpriced++;
    if (e.route === 'remote' && e.kind !== 'count' && e.inputTokens !== null) {
      const read = e.cacheReadTokens ?? 0;
      this.remotePrompt += e.inputTokens + read + (e.cacheCreationTokens ?? 0);
      this.remoteCacheRead += read;
      if (read > 0) this.cachedRequests++;
    }
  }
}

class Bucket {
  requests = 0;
  local = 0;
  remote = 0;
  fallbacks = 0;
  tokensSaved = 0;
  costUsd = 0;
  costSavedUsd = 0;

  add(e: RecordedEvent): void {
    this.requests++;
    if (e.route === 'local') this.local++;
    else this.remote++;
    if (e.fallbackReason !== null) this.fallbacks++;
    this.tokensSaved += e.tokensSaved;
    this.costUsd += e.costUsd ?? 0;
    this.costSavedUsd += e.costSavedUsd ?? 0;
  }

  merge(other: Bucket): void {
    this.requests += other.requests;
    this.local += other.local;
    this.remote += other.remote;
    this.fallbacks += other.fallbacks;
    this.tokensSaved += other.tokensSaved;
    this.costUsd += other.costUsd;
    this.costSavedUsd += other.costSavedUsd;
  }
}

class EstimateSamples {
  readonly signed = new Samples();
  readonly absolute = new Samples();

  add(errorPercent: number): void {
    this.signed.add(errorPercent);
    this.absolute.add(Math.abs(errorPercent));
  }

  result(): EstimateError | null {
    const abs = this.absolute.distribution();
    if (!abs) return null;
    return { samples: abs.samples, mean_abs_percent: abs.mean, median_percent: round(this.signed.percentile(50) ?? 0, 2), p90_abs_percent: abs.p90 };
  }
}

const slotStart = (ms: number): number => ms - (ms % SLOT_MS);
const localHourStart = (ms: number): number => new Date(ms).setMinutes(0, 0, 0);
const localDayStart = (ms: number): number => new Date(ms).setHours(0, 0, 0, 0);

/** Adds up events one at a time; memory grows only with the latency samples (16 bytes a request). */
export class StatsAccumulator {
  readonly lines = { events: 0, corrupt: 0, legacy: 0, foreign: 0, out_of_range: 0 };
  private readonly totals = new Tally();
  private readonly fallbackReasons = new Map<string, number>();
  private readonly reasons = new Map<string, number>();
  private readonly routes = new Map<Route, { tally: Tally; latency: Samples; ttfb: Samples }>(
    ROUTES.map((r) => [r, { tally: new Tally(), latency: new Samples(), ttfb: new Samples() }]),
  );
  private readonly estimates = new Map<Route, EstimateSamples>(ROUTES.map((r) => [r, new EstimateSamples()]));
  private readonly remoteBecause = new Map<string, number>();
  private readonly slots = new Map<number, Bucket>();
  private readonly groups = new Map<string, { tally: Tally; latency: Samples; first: number; last: number }>();
  private first = Infinity;
  private last = -Infinity;
  private slotAt = 0;
  private slot: Bucket | null = null;

  constructor(
    private readonly groupBy: GroupBy | null = null,
    private readonly bucket: BucketSize = 'auto',
  ) {}

  add(e: RecordedEvent): void {
    this.lines.events++;
    this.first = Math.min(this.first, e.unixMs);
    this.last = Math.max(this.last, e.unixMs);
    this.totals.add(e);
    if (e.fallbackReason !== null) increment(this.fallbackReasons, e.fallbackReason);
    increment(this.reasons, e.reason);
    if (e.route === 'remote') increment(this.remoteBecause, e.fallbackReason === null ? e.reason : `fallback:${e.fallbackReason}`);
    const route = this.routes.get(e.route);
    if (route) {
      route.tally.add(e);
      route.latency.add(e.latencyMs);
      if (e.ttfbMs !== null) route.ttfb.add(e.ttfbMs);
    }
    this.addEstimate(e);
    this.bucketFor(e.unixMs).add(e);
    if (this.groupBy) {
      const key = groupKey(this.groupBy, e);
      let group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = { tally: new Tally(), latency: new Samples(), first: e.unixMs, last: e.unixMs }));
      group.tally.add(e);
      group.latency.add(e.latencyMs);
      group.first = Math.min(group.first, e.unixMs);
      group.last = Math.max(group.last, e.unixMs);
    }
  }

  report(meta: { generatedAt: Date; dir: string; since: Date | null; until: Date | null; files: StatsReport['files'] }): StatsReport {
    const t = this.totals;
    const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
    const report: StatsReport = {
      generated_at: meta.generatedAt.toISOString(),
      dir: meta.dir,
      range: { since: meta.since?.toISOString() ?? null, until: meta.until?.toISOString() ?? null, first_event_at: iso(this.first), last_event_at: iso(this.last) },
      files: meta.files,
      lines: { ...this.lines },
      totals: {
        requests: t.requests,
        served_local: t.local,
        served_remote: t.remote,
        local_percent: percent(t.local, t.requests),
        decided_local: t.decidedLocal,
        fallbacks: t.fallbacks,
        fallback_percent: percent(t.fallbacks, t.decidedLocal),
        fallback_reasons: Object.fromEntries(this.fallbackReasons),
        failed: t.failed,
        tokens: { input: t.input, output: t.output, cache_read: t.cacheRead, cache_creation: t.cacheCreation },
        tokens_saved: t.tokensSaved,
        tokens_saved_estimated: t.tokensSavedEstimated,
        cost_usd: usd(t.costUsd),
        cost_saved_usd: usd(t.costSavedUsd),
        unpriced: t.unpriced,
        cached_requests: t.cachedRequests,
        cache_hit_percent: percent(t.remoteCacheRead, t.remotePrompt),
      },
      routes: {
        local: this.routeStats('local'),
        remote: this.routeStats('remote'),
      },
      reasons: Object.fromEntries([...this.reasons].sort((a, b) => b[1] - a[1])),
      remote_because: Object.fromEntries([...this.remoteBecause].sort((a, b) => b[1] - a[1])),
      estimate_error: { local: this.estimates.get('local')?.result() ?? null, remote: this.estimates.get('remote')?.result() ?? null },
      timeline: this.timeline(),
    };
    if (this.groupBy) report.groups = { by: this.groupBy, rows: this.groupRows(this.groupBy) };
    return report;
  }

  private routeStats(route: Route): RouteStats {
    const r = this.routes.get(route);
    const t = r?.tally ?? new Tally();
    return {
      requests: t.requests,
      tokens: { input: t.input, output: t.output, cache_read: t.cacheRead, cache_creation: t.cacheCreation },
      latency_ms: r?.latency.distribution() ?? null,
      ttfb_ms: r?.ttfb.distribution() ?? null,
    };
  }

  /** Only real usage counts: the estimate is compared with the prompt Anthropic or the backend measured. */
  private addEstimate(e: RecordedEvent): void {
    if (e.usageEstimated || e.inputTokens === null || e.estimatedRequestTokens === null) return;
    const actual = e.inputTokens + (e.cacheReadTokens ?? 0) + (e.cacheCreationTokens ?? 0);
    if (actual > 0) this.estimates.get(e.route)?.add(((e.estimatedRequestTokens - actual) / actual) * 100);
  }

  private bucketFor(ms: number): Bucket {
    if (this.slot && ms >= this.slotAt && ms < this.slotAt + SLOT_MS) return this.slot;
    this.slotAt = slotStart(ms);
    let bucket = this.slots.get(this.slotAt);
    if (!bucket) this.slots.set(this.slotAt, (bucket = new Bucket()));
    this.slot = bucket;
    return bucket;
  }

  private bucketSize(): Exclude<BucketSize, 'auto'> {
    if (this.bucket !== 'auto') return this.bucket;
    return this.last - this.first <= HOURLY_SPAN_MS ? 'hour' : 'day';
  }

  /** A continuous series (empty buckets included) so charts show quiet periods as zero. */
  private timeline(): StatsReport['timeline'] {
    const size = this.bucketSize();
    if (this.slots.size === 0) return { bucket: size, points: [] };
    const startOf = size === '5m' ? slotStart : size === 'hour' ? localHourStart : localDayStart;
    const buckets = new Map<number, Bucket>();
    for (const [start, bucket] of this.slots) {
      const key = startOf(start);
      let merged = buckets.get(key);
      if (!merged) buckets.set(key, (merged = new Bucket()));
      merged.merge(bucket);
    }
    const points: TimelinePoint[] = [];
    // Steps are taken past daylight-saving changes: a local day is 23 to 25 hours long.
    const step = (ms: number) => (size === '5m' ? ms + SLOT_MS : size === 'hour' ? localHourStart(ms + HOUR_MS) : localDayStart(ms + 26 * HOUR_MS));
    const end = Math.max(...buckets.keys());
    for (let at = Math.min(...buckets.keys()); at <= end; at = step(at)) {
      const b = buckets.get(at) ?? new Bucket();
      points.push({
        start: new Date(at).toISOString(),
        unix_ms: at,
        requests: b.requests,
        local: b.local,
        remote: b.remote,
        fallbacks: b.fallbacks,
        tokens_saved: b.tokensSaved,
        cost_usd: usd(b.costUsd),
        cost_saved_usd: usd(b.costSavedUsd),
      });
    }
    return { bucket: size, points };
  }

  private groupRows(by: GroupBy): GroupRow[] {
    const rows = [...this.groups].map(([key, { tally: t, latency, first, last }]): GroupRow => ({
      key,
      requests: t.requests,
      local: t.local,
      remote: t.remote,
      local_percent: percent(t.local, t.requests),
      fallbacks: t.fallbacks,
      failed: t.failed,
      input_tokens: t.input,
      output_tokens: t.output,
      tokens_saved: t.tokensSaved,
      cost_usd: usd(t.costUsd),
      cost_saved_usd: usd(t.costSavedUsd),
      latency_p50_ms: latency.percentile(50),
      latency_p90_ms: latency.percentile(90),
      first_event_at: new Date(first).toISOString(),
      last_event_at: new Date(last).toISOString(),
    }));
    if (by === 'day') return rows.sort((a, b) => a.key.localeCompare(b.key));
    if (by === 'session') return rows.sort((a, b) => b.last_event_at.localeCompare(a.last_event_at) || a.key.localeCompare(b.key));
    return rows.sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));
  }
}

function groupKey(by: GroupBy, e: RecordedEvent): string {
  switch (by) {
    case 'day':
      return localDate(new Date(e.unixMs));
    case 'model':
      return e.model;
    case 'route':
      return e.route;
    case 'reason':
      return e.reason;
    case 'session':
      return e.sessionId ?? NO_SESSION;
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
