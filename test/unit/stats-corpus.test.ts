import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStats } from '../../src/telemetry/collect-stats.js';
import type { ProxyMetadata, TelemetryEvent } from '../../src/telemetry/event.js';
import type { StatsReport } from '../../src/telemetry/stats.js';
import { generateCorpus, writeCorpus, type Corpus } from '../fixtures/telemetry-corpus.js';

// Every expected number below is computed here, straight from the generated events, with plain
// loops and sorting; the code under test reads the same events back from the files.

const DAYS = ['2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13', '2026-11-14'];
const NOW = new Date(2026, 10, 20, 12, 0, 0);
let dir: string;
let corpus: Corpus;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cap-stats-'));
  corpus = generateCorpus(DAYS, 80);
  await writeCorpus(dir, corpus);
  await writeFile(join(dir, 'proxy.log'), 'an operational log the stats must not read\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const meta = (events: TelemetryEvent[]): ProxyMetadata[] => events.map((e) => e.metadata);
const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
const share = (part: number, whole: number) => (whole > 0 ? round((part / whole) * 100, 2) : null);
const nearestRank = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
};
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function expectTotals(report: StatsReport, events: TelemetryEvent[]): void {
  const m = meta(events);
  const local = m.filter((e) => e.routing_decision === 'local');
  const decidedLocal = m.filter((e) => e.decided_route === 'local');
  const fallbacks = m.filter((e) => e.fallback !== null);
  const billable = m.filter((e) => e.kind !== 'count');
  const remotePrompts = m.filter((e) => e.routing_decision === 'remote' && e.kind !== 'count' && e.input_tokens !== null);
  const reasons: Record<string, number> = {};
  for (const e of fallbacks) reasons[e.fallback?.reason ?? ''] = (reasons[e.fallback?.reason ?? ''] ?? 0) + 1;
  const t = report.totals;
  expect(t.requests).toBe(m.length);
  expect(t.served_local).toBe(local.length);
  expect(t.served_remote).toBe(m.length - local.length);
  expect(t.local_percent).toBe(share(local.length, m.length));
  expect(t.decided_local).toBe(decidedLocal.length);
  expect(t.fallbacks).toBe(fallbacks.length);
  expect(t.fallback_percent).toBe(share(fallbacks.length, decidedLocal.length));
  expect(t.fallback_reasons).toEqual(reasons);
  expect(t.failed).toBe(m.filter((e) => !e.success).length);
  expect(t.tokens).toEqual({
    input: sum(billable.map((e) => e.input_tokens ?? 0)),
    output: sum(billable.map((e) => e.output_tokens ?? 0)),
    cache_read: sum(billable.map((e) => e.cache_read_input_tokens ?? 0)),
    cache_creation: sum(billable.map((e) => e.cache_creation_input_tokens ?? 0)),
  });
  expect(t.tokens_saved).toBe(sum(m.map((e) => e.tokens_saved)));
  expect(t.tokens_saved_estimated).toBe(sum(m.filter((e) => e.usage_estimated).map((e) => e.tokens_saved)));
  expect(t.cost_usd).toBeCloseTo(sum(m.map((e) => e.cost_usd ?? 0)), 5);
  expect(t.cost_saved_usd).toBeCloseTo(sum(m.map((e) => e.cost_saved_usd ?? 0)), 5);
  expect(t.unpriced).toBe(m.filter((e) => e.cost_usd === null || e.cost_saved_usd === null).length);
  expect(t.cached_requests).toBe(remotePrompts.filter((e) => (e.cache_read_input_tokens ?? 0) > 0).length);
  const prompt = sum(remotePrompts.map((e) => (e.input_tokens ?? 0) + (e.cache_read_input_tokens ?? 0) + (e.cache_creation_input_tokens ?? 0)));
  expect(t.cache_hit_percent).toBe(share(sum(remotePrompts.map((e) => e.cache_read_input_tokens ?? 0)), prompt));
}

describe('stats over a generated telemetry directory', () => {
  let report: StatsReport;
  beforeAll(async () => {
    report = await collectStats({ dir, since: null, until: null, by: null, now: NOW });
  });

  it('adds up every event exactly once, the one crossing midnight included', () => {
    expect(corpus.events.length).toBe(DAYS.length * 81);
    expect(report.lines.events).toBe(corpus.events.length);
    expectTotals(report, corpus.events);
  });

  it('counts and skips corrupt lines, the old proxy’s lines and other tools’ events', () => {
    expect(report.lines.corrupt).toBe(corpus.corrupt);
    expect(report.lines.legacy).toBe(corpus.legacy);
    expect(report.lines.foreign).toBe(corpus.foreign);
    expect(report.lines.corrupt).toBeGreaterThan(0);
  });

  it('reports the files and the size of the whole directory', async () => {
    const names = [...corpus.files.keys()];
    const sizes = await Promise.all(names.map(async (n) => (await stat(join(dir, n))).size));
    const log = (await stat(join(dir, 'proxy.log'))).size;
    expect(report.files.event_files).toBe(names.length);
    expect(report.files.read).toBe(names.length);
    expect(report.files.event_bytes).toBe(sum(sizes));
    expect(report.files.dir_bytes).toBe(sum(sizes) + log);
  });

  it('gives latency and time-to-first-byte percentiles per route', () => {
    for (const route of ['local', 'remote'] as const) {
      const m = meta(corpus.events).filter((e) => e.routing_decision === route);
      const latency = m.map((e) => e.latency_ms);
      const ttfb = m.map((e) => e.ttfb_ms).filter((v): v is number => v !== null);
      const r = report.routes[route];
      expect(r.requests).toBe(m.length);
      expect(r.latency_ms).toEqual({
        samples: latency.length,
        p50: nearestRank(latency, 50),
        p90: nearestRank(latency, 90),
        p99: nearestRank(latency, 99),
        max: Math.max(...latency),
        mean: round(sum(latency) / latency.length, 2),
      });
      expect(r.ttfb_ms?.samples).toBe(ttfb.length);
      expect(r.ttfb_ms?.p90).toBe(nearestRank(ttfb, 90));
    }
  });

  it('measures the token estimate against real usage only', () => {
    for (const route of ['local', 'remote'] as const) {
      const errors = meta(corpus.events)
        .filter((e) => e.routing_decision === route && !e.usage_estimated && e.input_tokens !== null)
        .map((e) => ({ e, actual: (e.input_tokens ?? 0) + (e.cache_read_input_tokens ?? 0) + (e.cache_creation_input_tokens ?? 0) }))
        .filter(({ actual }) => actual > 0)
        .map(({ e, actual }) => ((e.estimate.request - actual) / actual) * 100);
      const abs = errors.map(Math.abs);
      expect(report.estimate_error[route]).toEqual({
        samples: errors.length,
        mean_abs_percent: round(sum(abs) / abs.length, 2),
        median_percent: round(nearestRank(errors, 50) ?? 0, 2),
        p90_abs_percent: round(nearestRank(abs, 90) ?? 0, 2),
      });
    }
  });

  it('has a daily timeline without gaps whose points add up to the totals', () => {
    const points = report.timeline.points;
    expect(report.timeline.bucket).toBe('day');
    expect(points.map((p) => new Date(p.unix_ms).getDate())).toEqual([10, 11, 12, 13, 14]);
    expect(sum(points.map((p) => p.requests))).toBe(report.totals.requests);
    expect(sum(points.map((p) => p.local))).toBe(report.totals.served_local);
    expect(sum(points.map((p) => p.fallbacks))).toBe(report.totals.fallbacks);
    expect(sum(points.map((p) => p.tokens_saved))).toBe(report.totals.tokens_saved);
    expect(sum(points.map((p) => p.cost_saved_usd))).toBeCloseTo(report.totals.cost_saved_usd, 5);
  });
});

describe('filters and breakdowns', () => {
  const dayOf = (e: TelemetryEvent) => {
    const d = new Date(e.metadata.unix_ms);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };

  it('--since and --until select requests by their start time, a date meaning the whole day', async () => {
    const since = new Date(2026, 10, 11);
    const until = new Date(2026, 10, 13);
    const report = await collectStats({ dir, since, until, by: null, now: NOW });
    const inRange = corpus.events.filter((e) => dayOf(e) === '2026-11-11' || dayOf(e) === '2026-11-12');
    expectTotals(report, inRange);
    expect(report.range.since).toBe(since.toISOString());
    expect(report.lines.out_of_range).toBeGreaterThan(0);
  });

  it('a single day has an hourly timeline', async () => {
    const report = await collectStats({ dir, since: new Date(2026, 10, 12), until: new Date(2026, 10, 13), by: null, now: NOW });
    expect(report.timeline.bucket).toBe('hour');
    const hours = corpus.events.filter((e) => dayOf(e) === '2026-11-12').map((e) => new Date(e.metadata.unix_ms).getHours());
    for (const point of report.timeline.points) {
      expect(point.requests).toBe(hours.filter((h) => h === new Date(point.unix_ms).getHours()).length);
    }
  });

  it.each(['model', 'route', 'reason', 'day'] as const)('--by %s gives one row per key with its own numbers', async (by) => {
    const report = await collectStats({ dir, since: null, until: null, by, now: NOW });
    const keyOf = (e: TelemetryEvent) =>
      by === 'model' ? e.metadata.model : by === 'route' ? e.metadata.routing_decision : by === 'reason' ? e.metadata.reason : dayOf(e);
    const keys = [...new Set(corpus.events.map(keyOf))];
    expect(report.groups?.by).toBe(by);
    expect(report.groups?.rows.map((r) => r.key).sort()).toEqual(keys.sort());
    for (const row of report.groups?.rows ?? []) {
      const m = meta(corpus.events.filter((e) => keyOf(e) === row.key));
      expect(row.requests).toBe(m.length);
      expect(row.local).toBe(m.filter((e) => e.routing_decision === 'local').length);
      expect(row.fallbacks).toBe(m.filter((e) => e.fallback !== null).length);
      expect(row.tokens_saved).toBe(sum(m.map((e) => e.tokens_saved)));
      expect(row.cost_saved_usd).toBeCloseTo(sum(m.map((e) => e.cost_saved_usd ?? 0)), 5);
      expect(row.latency_p50_ms).toBe(nearestRank(m.map((e) => e.latency_ms), 50));
    }
    if (by === 'day') expect(report.groups?.rows.map((r) => r.key)).toEqual([...keys].sort());
  });

  it('a missing directory is an empty report, not an error', async () => {
    const report = await collectStats({ dir: join(dir, 'nothing-here'), since: null, until: null, by: null, now: NOW });
    expect(report.totals.requests).toBe(0);
    expect(report.totals.local_percent).toBeNull();
    expect(report.routes.local.latency_ms).toBeNull();
    expect(report.timeline.points).toEqual([]);
  });
});
