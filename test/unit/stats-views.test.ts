import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStats } from '../../src/telemetry/collect-stats.js';
import { NO_SESSION } from '../../src/telemetry/stats.js';
import { generateCorpus, writeCorpus, type Corpus } from '../fixtures/telemetry-corpus.js';

// The views the dashboard asks for: per session, a finer timeline, and why requests went remote.
// Expected numbers come straight from the generated events.

const DAYS = ['2026-11-12', '2026-11-13'];
const NOW = new Date(2026, 10, 20, 12, 0, 0);
let dir: string;
let corpus: Corpus;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cap-stats-views-'));
  corpus = generateCorpus(DAYS, 120, 11);
  await writeCorpus(dir, corpus);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('statistics views', () => {
  it('by=session: one row per Claude Code session, the rest under one key, most recent first', async () => {
    const report = await collectStats({ dir, since: null, until: null, by: 'session', now: NOW });
    const keyOf = (id: string | null) => id ?? NO_SESSION;
    const rows = report.groups?.rows ?? [];
    expect(rows.map((r) => r.key).sort()).toEqual([...new Set(corpus.events.map((e) => keyOf(e.metadata.session_id)))].sort());
    for (const row of rows) {
      const events = corpus.events.filter((e) => keyOf(e.metadata.session_id) === row.key).map((e) => e.metadata.unix_ms);
      expect(row.requests).toBe(events.length);
      expect(row.first_event_at).toBe(new Date(Math.min(...events)).toISOString());
      expect(row.last_event_at).toBe(new Date(Math.max(...events)).toISOString());
    }
    const last = rows.map((r) => r.last_event_at);
    expect(last).toEqual([...last].sort().reverse());
  });

  it('bucket=5m: five-minute points without gaps that add up to the totals', async () => {
    const since = new Date(2026, 10, 12, 9, 0);
    const until = new Date(2026, 10, 12, 12, 0);
    const report = await collectStats({ dir, since, until, by: null, bucket: '5m', now: NOW });
    const points = report.timeline.points;
    expect(report.timeline.bucket).toBe('5m');
    expect(points.length).toBeGreaterThan(1);
    for (let i = 1; i < points.length; i++) expect((points[i]?.unix_ms ?? 0) - (points[i - 1]?.unix_ms ?? 0)).toBe(300_000);
    const inRange = corpus.events.filter((e) => e.metadata.unix_ms >= since.getTime() && e.metadata.unix_ms < until.getTime());
    expect(points.reduce((n, p) => n + p.requests, 0)).toBe(inRange.length);
    for (const point of points) {
      const inPoint = inRange.filter((e) => e.metadata.unix_ms >= point.unix_ms && e.metadata.unix_ms < point.unix_ms + 300_000);
      expect(point.requests).toBe(inPoint.length);
    }
  });

  it('bucket=day over a short span gives daily points even where auto would give hourly ones', async () => {
    const report = await collectStats({ dir, since: new Date(2026, 10, 12), until: new Date(2026, 10, 13), by: null, bucket: 'day', now: NOW });
    expect(report.timeline.bucket).toBe('day');
    expect(report.timeline.points.map((p) => p.unix_ms)).toEqual([new Date(2026, 10, 12).getTime()]);
  });

  it('remote_because: every request Anthropic answered, by decision reason or local failure', async () => {
    const report = await collectStats({ dir, since: null, until: null, by: null, now: NOW });
    const expected: Record<string, number> = {};
    for (const { metadata: m } of corpus.events) {
      if (m.routing_decision !== 'remote') continue;
      const key = m.fallback ? `fallback:${m.fallback.reason}` : m.reason;
      expected[key] = (expected[key] ?? 0) + 1;
    }
    expect(report.remote_because).toEqual(expected);
    expect(Object.values(report.remote_because).reduce((a, b) => a + b, 0)).toBe(report.totals.served_remote);
    const counts = Object.values(report.remote_because);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });
});
