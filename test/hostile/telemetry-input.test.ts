import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { sse, streams, textMessage } from '../helpers/fake-anthropic.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { eventFileName } from '../../src/telemetry/writer.js';
import { TRUNCATED_MARK } from '../../src/telemetry/bounded-event.js';

/** The upstream's usage for the next answer (poisoned by some tests). */
let usage: Record<string, unknown> = { input_tokens: 10, output_tokens: 5 };
const gateway = useGateway({
  settings: { local: { enabled: false }, telemetry: { flushIntervalMs: 0 } },
  handler: (req, res) => {
    const body = JSON.parse(req.body.toString('utf8')) as { stream?: boolean; model: string };
    if (body.stream) {
      const events = streams.text('ok', body.model);
      const last = events.at(-2) as { usage: Record<string, unknown> };
      last.usage = usage;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse(events));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...textMessage('ok', body.model), usage }));
  },
});

async function send(model: string, stream: boolean): Promise<void> {
  const res = await request(`${gateway.proxy.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify({ ...mainRequest('hi', { stream }), model }) });
  expect(res.statusCode).toBe(200);
  await res.body.dump();
}

async function fileLines(): Promise<Record<string, unknown>[]> {
  await gateway.proxy.ctx.telemetry.flush();
  const text = await readFile(join(gateway.proxy.config.telemetry.dir, eventFileName(new Date())), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { metadata: Record<string, unknown> }).metadata);
}

describe('a huge model name', () => {
  it('is cut and marked in the file, the events observed, the recent decisions, and /stats?by=model', async () => {
    const huge = `claude-${'x'.repeat(2_000_000)}`;
    const before = gateway.proxy.events.length;
    for (let i = 0; i < 3; i++) await send(huge, i % 2 === 0);
    await eventually(() => gateway.proxy.events.length >= before + 3);
    const cut = `${huge.slice(0, gateway.proxy.config.telemetry.maxStringChars)}${TRUNCATED_MARK}`;

    const written = (await fileLines()).slice(-3);
    expect(written.map((m) => m.model)).toEqual([cut, cut, cut]);
    // Cut once for everything that sees the event, the app's own observer included.
    expect(gateway.proxy.events.slice(-3).map((e) => e.metadata.model)).toEqual([cut, cut, cut]);

    const live = await request(`${gateway.proxy.url}/stats/live`);
    expect(live.statusCode).toBe(200);
    const recent = ((await live.body.json()) as { recent: { model: string }[] }).recent;
    expect(recent.slice(0, 3).map((r) => r.model)).toEqual([cut, cut, cut]);

    const stats = await request(`${gateway.proxy.url}/stats?by=model`);
    expect(stats.statusCode).toBe(200);
    const rows = ((await stats.body.json()) as { groups: { rows: { key: string; requests: number }[] } }).groups.rows;
    expect(rows.find((r) => r.key === cut)?.requests).toBe(3);
  });
});

describe('poisoned usage numbers', () => {
  it.each([
    ['negative', { input_tokens: -500, output_tokens: -7 }],
    ['absurd', { input_tokens: 1e300, output_tokens: 5 }],
    ['fractional or infinite', { input_tokens: 1.5, output_tokens: 'Infinity' }],
  ])('%s counts are not counted: events, cost and /metrics stay sane', async (_name, poisoned) => {
    usage = poisoned;
    const before = gateway.proxy.events.length;
    try {
      await send('claude-sonnet-5-5', true);
      await send('claude-sonnet-5-5', false);
    } finally {
      usage = { input_tokens: 10, output_tokens: 5 };
    }
    await eventually(() => gateway.proxy.events.length >= before + 2);
    for (const m of (await fileLines()).slice(-2)) {
      for (const key of ['input_tokens', 'output_tokens', 'cost_usd'] as const) {
        const value = m[key] as number;
        expect(Number.isFinite(value) && value >= 0 && value < 1e9, `${key}: ${value}`).toBe(true);
      }
    }
    const metrics = await request(`${gateway.proxy.url}/metrics`);
    const text = await metrics.body.text();
    expect(metrics.statusCode).toBe(200);
    for (const line of text.split('\n').filter((l) => l.startsWith('claude_proxy_tokens_total') || l.startsWith('claude_proxy_cost_usd_total'))) {
      const value = Number(line.split(' ').at(-1));
      expect(value >= 0 && value < 1e12, line).toBe(true);
    }
  });
});
