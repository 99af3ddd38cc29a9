import { beforeAll, describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/proxy.js';
import { fakeLocalBackend } from '../fixtures/fake-local-backend.js';

// A strict reader of the Prometheus text exposition format (version 0.0.4): every line is a
// comment, HELP, TYPE or a sample; every sample belongs to a family declared by TYPE; histograms
// have cumulative buckets ending in +Inf, and _sum and _count.

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/y;

// Prometheus reads values with Go's ParseFloat: NaN and Inf in any letter case.
function parseValue(text: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) throw new Error(`bad value ${text}`);
  return Number(text);
}

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad labels {${text}}`);
    labels[m[1] ?? ''] = (m[2] ?? '').replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return labels;
}

function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  for (const suffix of ['', '_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const family = families.get(name.slice(0, name.length - suffix.length));
    if (family && (suffix === '' ? family.type !== 'histogram' : family.type === 'histogram' || family.type === 'summary')) return family;
  }
  return undefined;
}

function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n').slice(0, -1)) {
    if (line === '') continue;
    const help = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (help || type) {
      const name = (help ?? type)?.[1] ?? '';
      const family = families.get(name) ?? { type: 'untyped', help: '', samples: [] };
      if (help) family.help = help[2] ?? '';
      if (type) family.type = type[2] ?? '';
      families.set(name, family);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const family = familyOf(m[1] ?? '', families);
    if (!family) throw new Error(`sample of an undeclared family: ${line}`);
    family.samples.push({ name: m[1] ?? '', labels: parseLabels(m[2]), value: parseValue(m[3] ?? '') });
  }
  for (const [name, family] of families) {
    if (family.type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const s of family.samples.filter((x) => x.name === `${name}_bucket`)) {
      const { le, ...rest } = s.labels;
      expect(le, `${name} bucket without le`).toBeDefined();
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      const counts = buckets.map((b) => b.value);
      expect([...counts].sort((a, b) => a - b), `${name}${key} buckets are cumulative`).toEqual(counts);
      expect(buckets.at(-1)?.labels.le).toBe('+Inf');
      const count = family.samples.find((s) => s.name === `${name}_count` && JSON.stringify(s.labels) === key);
      expect(count?.value, `${name}${key} _count equals the +Inf bucket`).toBe(buckets.at(-1)?.value);
      expect(family.samples.some((s) => s.name === `${name}_sum` && JSON.stringify(s.labels) === key)).toBe(true);
    }
  }
  return families;
}

const value = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined => {
  const family = familyOf(name, families);
  return family?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
};

const gateway = useGateway({ ctx: { local: fakeLocalBackend({ usage: { input: 300, output: 50 }, failures: { BROKEN: 'timeout' } }) } });
/** A second proxy that served nothing. */
const other = useGateway({ settings: { local: { enabled: false } } });

beforeAll(async () => {
  const client = gateway.client();
  const headers = (to: string) => ({ headers: { 'x-claude-proxy-route': to } });
  const body = (text: string) => ({ model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user' as const, content: text }] });
  await client.messages.create(body('remote, not streamed'), headers('remote'));
  await client.messages.stream(body('local, streamed'), headers('local')).finalMessage();
  await client.messages.stream(body('BROKEN local'), headers('local')).finalMessage();
  await eventually(() => gateway.proxy.events.length === 3);
});

describe('GET /metrics', () => {
  let families: Map<string, Family>;
  beforeAll(async () => {
    const res = await fetch(`${gateway.proxy.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    families = parsePrometheus(await res.text());
  });

  it('parses as Prometheus text format, every family with help', () => {
    expect(families.size).toBeGreaterThan(10);
    for (const [name, family] of families) expect(family.help, name).not.toBe('');
  });

  it('counts requests by route, reason and status', () => {
    expect(families.get('claude_proxy_requests_total')?.type).toBe('counter');
    expect(value(families, 'claude_proxy_requests_total', { route: 'remote', reason: 'header_override', status: '200' })).toBe(2);
    expect(value(families, 'claude_proxy_requests_total', { route: 'local', reason: 'header_override', status: '200' })).toBe(1);
  });

  it('has latency and time-to-first-byte histograms per route', () => {
    for (const name of ['claude_proxy_request_duration_seconds', 'claude_proxy_time_to_first_byte_seconds']) {
      expect(families.get(name)?.type).toBe('histogram');
      expect(value(families, `${name}_count`, { route: 'remote' })).toBe(2);
      expect(value(families, `${name}_count`, { route: 'local' })).toBe(1);
      expect(value(families, `${name}_sum`, { route: 'local' })).toBeGreaterThan(0);
    }
  });

  it('counts tokens by route, tokens and dollars saved, remote spend and fallbacks', () => {
    // The fake upstream's JSON answer reports 25 in / 7 out, its stream 42 in / 11 out; the local backend 300 / 50.
    expect(value(families, 'claude_proxy_tokens_total', { route: 'remote', type: 'input' })).toBe(25 + 42);
    expect(value(families, 'claude_proxy_tokens_total', { route: 'remote', type: 'output' })).toBe(7 + 11);
    expect(value(families, 'claude_proxy_tokens_total', { route: 'local', type: 'input' })).toBe(300);
    expect(value(families, 'claude_proxy_tokens_total', { route: 'local', type: 'output' })).toBe(50);
    expect(value(families, 'claude_proxy_tokens_saved_total')).toBe(350);
    expect(value(families, 'claude_proxy_cost_saved_usd_total')).toBeCloseTo((300 * 2 + 50 * 10) / 1e6, 12);
    expect(value(families, 'claude_proxy_cost_usd_total')).toBeCloseTo(((25 + 42) * 2 + (7 + 11) * 10) / 1e6, 12);
    expect(value(families, 'claude_proxy_fallbacks_total', { reason: 'timeout' })).toBe(1);
  });

  it('reports backend health, the telemetry writer and the process', () => {
    expect(value(families, 'claude_proxy_backend_healthy', { backend: 'local:fake' })).toBe(1);
    expect(value(families, 'claude_proxy_telemetry_events', { result: 'lost' })).toBe(0);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(families.has(name), name).toBe(true);
    }
  });

  it('each server counts only its own requests (one registry per app)', async () => {
    const otherFamilies = parsePrometheus(await (await fetch(`${other.proxy.url}/metrics`)).text());
    expect(otherFamilies.get('claude_proxy_requests_total')?.samples).toEqual([]);
    expect(value(otherFamilies, 'claude_proxy_backend_healthy', { backend: 'local:coordinator' })).toBe(0);
  });
});
