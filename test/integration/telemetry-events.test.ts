import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectStats } from '../../src/telemetry/collect-stats.js';
import type { TelemetryEvent } from '../../src/telemetry/event.js';
import { localDate } from '../../src/telemetry/json-line.js';
import type { StatsReport } from '../../src/telemetry/stats.js';
import { eventually, startProxy } from '../helpers/proxy.js';
import { fakeLocalBackend } from '../fixtures/fake-local-backend.js';
import { useGateway } from '../helpers/gateway.js';

// USD per million tokens from Anthropic's price list (docs/telemetry.md, "Prices"): input, output.
const SONNET_5_5 = { input: 2, output: 10 };
const OPUS_5_5 = { input: 4, output: 20 };
// The fake upstream's streamed answer reports 42 input and 11 output tokens; the fake local backend 300 and 50.
const REMOTE_USAGE = { input: 42, output: 11 };
const LOCAL_USAGE = { input: 300, output: 50 };

const gateway = useGateway({
  settings: { local: { aliases: ['claude-local-alias'] }, telemetry: { logPrompts: true } },
  ctx: { local: fakeLocalBackend({ usage: LOCAL_USAGE, failures: { 'PLEASE FAIL': 'refused' } }) },
});

const client = () => gateway.client();
const route = (to: 'local' | 'remote') => ({ headers: { 'x-claude-proxy-route': to } });
const ask = (model: string, text: string, to?: 'local' | 'remote') =>
  client()
    .messages.stream({ model, max_tokens: 200, messages: [{ role: 'user', content: text }] }, to ? route(to) : undefined)
    .finalMessage();

beforeAll(async () => {
  await ask('claude-sonnet-5-5', 'What is a flake?', 'remote');
  await ask('claude-opus-5-5', 'List the files.', 'local');
  await ask('claude-sonnet-5-5', 'PLEASE FAIL locally', 'local');
  await client().messages.countTokens({ model: 'claude-opus-5-5', messages: [{ role: 'user', content: 'Count me.' }] }, route('local'));
  await ask('claude-local-alias', 'Hello alias.');
  await eventually(() => gateway.proxy.events.length === 5);
  await gateway.proxy.ctx.telemetry.flush();
});

const byQuery = (i: number): TelemetryEvent['metadata'] => {
  const event = gateway.proxy.events[i];
  if (!event) throw new Error(`no event ${i}`);
  return event.metadata;
};

describe('cost and savings in every event', () => {
  it('a remote answer costs its real usage at the served model’s list price, and saves nothing', () => {
    const m = byQuery(0);
    expect(m).toMatchObject({ routing_decision: 'remote', input_tokens: REMOTE_USAGE.input, output_tokens: REMOTE_USAGE.output, tokens_saved: 0, cost_saved_usd: 0 });
    expect(m.cost_usd).toBeCloseTo((REMOTE_USAGE.input * SONNET_5_5.input + REMOTE_USAGE.output * SONNET_5_5.output) / 1e6, 12);
  });

  it('a local answer costs nothing and saves what its tokens would have cost at the requested model’s price', () => {
    const m = byQuery(1);
    expect(m).toMatchObject({ routing_decision: 'local', decided_route: 'local', backend: 'local:fake', model: 'claude-opus-5-5', cost_usd: 0 });
    expect(m.tokens_saved).toBe(LOCAL_USAGE.input + LOCAL_USAGE.output);
    expect(m.cost_saved_usd).toBeCloseTo((LOCAL_USAGE.input * OPUS_5_5.input + LOCAL_USAGE.output * OPUS_5_5.output) / 1e6, 12);
  });

  it('a fallback is a remote answer: it costs, names why, and saves nothing', () => {
    const m = byQuery(2);
    expect(m).toMatchObject({ routing_decision: 'remote', decided_route: 'local', fallback: { from: 'local', reason: 'refused' }, tokens_saved: 0, cost_saved_usd: 0 });
    expect(m.cost_usd).toBeCloseTo((REMOTE_USAGE.input * SONNET_5_5.input + REMOTE_USAGE.output * SONNET_5_5.output) / 1e6, 12);
  });

  it('counting tokens is free, wherever it is answered', () => {
    expect(byQuery(3)).toMatchObject({ routing_decision: 'local', kind: 'count', cost_usd: 0, cost_saved_usd: 0, tokens_saved: 0 });
  });

  it('a model without a price saves tokens but no invented dollars', () => {
    expect(byQuery(4)).toMatchObject({ routing_decision: 'local', reason: 'local_alias', tokens_saved: LOCAL_USAGE.input + LOCAL_USAGE.output, cost_saved_usd: null });
  });

  it('the file lines keep the seed’s fields first, in its format', async () => {
    const dir = gateway.proxy.config.telemetry.dir;
    const text = await readFile(join(dir, `events-${localDate(new Date())}.jsonl`), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\{"timestamp": "[^"]+", "event_type": "api_query_routed", "source": "claude_api_proxy", "metadata": \{"routing_decision": "remote", "estimated_tokens": \d+, "tokens_saved": 0, "model": "claude-sonnet-5-5", "success": true, /);
  });
});

describe('GET /stats and GET /stats/live', () => {
  let stats: StatsReport;
  beforeAll(async () => {
    const res = await fetch(`${gateway.proxy.url}/stats`);
    expect(res.status).toBe(200);
    stats = (await res.json()) as StatsReport;
  });

  it('/stats is the stats JSON over the configured directory', async () => {
    const direct = await collectStats({ dir: gateway.proxy.config.telemetry.dir, since: null, until: null, by: null, now: new Date(stats.generated_at) });
    expect(stats).toEqual(direct);
    expect(stats.totals).toMatchObject({ requests: 5, served_local: 3, served_remote: 2, decided_local: 4, fallbacks: 1, fallback_reasons: { refused: 1 }, unpriced: 1 });
    expect(stats.totals.tokens_saved).toBe(2 * (LOCAL_USAGE.input + LOCAL_USAGE.output));
    expect(stats.totals.cost_saved_usd).toBeCloseTo((LOCAL_USAGE.input * OPUS_5_5.input + LOCAL_USAGE.output * OPUS_5_5.output) / 1e6, 6);
  });

  it('takes the command line filters as query parameters and refuses bad ones in the envelope', async () => {
    const grouped = (await (await fetch(`${gateway.proxy.url}/stats?by=route&since=1h`)).json()) as StatsReport;
    expect(grouped.groups?.rows.map((r) => [r.key, r.requests])).toEqual([
      ['local', 3],
      ['remote', 2],
    ]);
    const bad = await fetch(`${gateway.proxy.url}/stats?by=colour`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const since = await fetch(`${gateway.proxy.url}/stats?since=yesterday-ish`);
    expect(since.status).toBe(400);
  });

  it('/stats/live lists the recent decisions newest first, without any prompt text', async () => {
    const live = (await (await fetch(`${gateway.proxy.url}/stats/live`)).json()) as { backend: unknown; recent: Record<string, unknown>[] };
    expect(live.backend).toEqual({ name: 'local:fake', enabled: true, healthy: true, health: 'healthy' });
    expect(live.recent.map((d) => d.request_id)).toEqual(gateway.proxy.events.map((e) => e.metadata.request_id).reverse());
    expect(live.recent[2]).toMatchObject({ route: 'remote', decided_route: 'local', fallback: 'refused', reason: 'header_override' });
    expect(gateway.proxy.events[0]?.metadata.query_text).toBe('What is a flake?');
    expect(JSON.stringify(live)).not.toContain('flake');
  });
});

describe('retention', () => {
  it('removes the daily files older than retentionDays when the server starts, and nothing else', async () => {
    const day = (daysAgo: number) => {
      const d = new Date();
      return `events-${localDate(new Date(d.getFullYear(), d.getMonth(), d.getDate() - daysAgo))}.jsonl`;
    };
    const dir = await mkdtemp(join(tmpdir(), 'cap-retention-'));
    for (const file of [day(45), day(31), day(30), day(1), day(0), 'hybrid-events.jsonl', 'events-notes.jsonl']) await writeFile(join(dir, file), '{}\n');
    const other = await startProxy({ local: { enabled: false }, telemetry: { retentionDays: 30, dir } });
    try {
      const kept = [day(30), day(1), day(0), 'hybrid-events.jsonl', 'events-notes.jsonl'].sort();
      for (let i = 0; i < 200 && (await readdir(dir)).length !== kept.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect((await readdir(dir)).sort()).toEqual(kept);
    } finally {
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
