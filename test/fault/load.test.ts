import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, Pool, request } from 'undici';
import { FakeUpstream, anthropicLike, sse, streams, textMessage } from '../helpers/fake-anthropic.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest, titleRequest } from '../fixtures/claude-code.js';
import type { TelemetryEvent } from '../../src/telemetry/event.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await new FakeUpstream(anthropicLike()).start();
});
afterAll(async () => {
  await upstream.stop();
});

describe('500 concurrent streams', () => {
  let proxy: RunningProxy;
  const agent = new Agent({ connections: 600, pipelining: 0 });
  beforeAll(async () => {
    proxy = await startProxy({ remote: { url: upstream.url }, local: { enabled: false } });
  });
  afterAll(async () => {
    await agent.close();
    await proxy.close();
  });

  it('all complete, byte-equal, each with its telemetry event', async () => {
    const events = streams.text('one two three four five six seven eight');
    let open = 0;
    let peak = 0;
    // Every stream stays open until all 500 have started, so they really are concurrent.
    let release!: () => void;
    const allStarted = new Promise<void>((r) => (release = r));
    upstream.setHandler(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(events.slice(0, 3)));
      peak = Math.max(peak, ++open);
      if (open === 500) release();
      await allStarted;
      for (const e of events.slice(3)) {
        res.write(sse([e]));
        await new Promise(setImmediate);
      }
      res.end();
    });
    const body = JSON.stringify(mainRequest('go'));
    const results = await Promise.all(
      Array.from({ length: 500 }, async () => {
        const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body, dispatcher: agent });
        return { status: res.statusCode, text: await res.body.text() };
      }),
    );
    upstream.setHandler(anthropicLike());
    expect(peak).toBe(500);
    expect(results.filter((r) => r.status === 200 && r.text === sse(events))).toHaveLength(500);
    expect(proxy.events.filter((e) => e.metadata.success && e.metadata.output_tokens === 11)).toHaveLength(500);
    upstream.received.length = 0;
  });
});

describe('10 000 sequential requests', () => {
  it('hold memory steady: no per-request growth of the heap', async () => {
    let served = 0;
    const proxy = await startProxy({ remote: { url: upstream.url }, local: { enabled: false } }, { ctx: { onEvent: (_e: TelemetryEvent) => void served++ } });
    const pool = new Pool(proxy.url, { connections: 1 });
    const stream = JSON.stringify(titleRequest('Name this.'));
    const json = JSON.stringify({ ...titleRequest('Name this.'), stream: false });
    const expectedJson = JSON.stringify(textMessage('Hello from the fake upstream.'));
    const run = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const res = await pool.request({ path: '/v1/messages?beta=true', method: 'POST', headers: claudeCodeHeaders(), body: i % 2 ? stream : json });
        const text = await res.body.text();
        if (res.statusCode !== 200 || (i % 2 === 0 && text !== expectedJson)) throw new Error(`request ${i}: ${res.statusCode} ${text.slice(0, 200)}`);
        if (i % 200 === 0) upstream.received.length = 0;
      }
      upstream.received.length = 0;
      await proxy.ctx.telemetry.flush();
    };
    const settle = () => {
      gc();
      gc();
      return process.memoryUsage();
    };
    try {
      await run(1_000);
      const before = settle();
      await run(10_000);
      const after = settle();
      expect(served).toBe(11_000);
      expect(proxy.ctx.telemetry.counters.written).toBe(11_000);
      const heapGrowth = after.heapUsed - before.heapUsed;
      const rssGrowth = after.rss - before.rss;
      // A leak of one small object graph per request (~1 kB) would add ~10 MB here.
      expect(heapGrowth, `heap ${before.heapUsed} -> ${after.heapUsed}`).toBeLessThan(4 * 1024 * 1024);
      expect(rssGrowth, `rss ${before.rss} -> ${after.rss}`).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await pool.close();
      await proxy.close();
    }
  }, 120_000);
});
