import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { drainedOrClosed, FakeUpstream, sse, streams, type Handler } from '../helpers/fake-anthropic.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually, type RunningProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';

const MiB = 1024 * 1024;
const agent = new Agent({ connections: 4 });
const body = JSON.stringify(mainRequest('hi'));
const PAD = Buffer.alloc(64 * 1024, 'x');

afterAll(async () => {
  await agent.close();
});

/** Writes `bytes` of padding (or forever when null) with back-pressure, then `tail`; stops when the client goes. */
async function writePadding(res: ServerResponse, bytes: number | null, tail = ''): Promise<void> {
  for (let sent = 0; bytes === null || sent < bytes; sent += PAD.length) {
    if (res.destroyed) return;
    if (!res.write(PAD)) await drainedOrClosed(res);
  }
  res.end(tail);
}

const streamHead = { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': 'req_011Padding' };

/** Bytes of the answer readAnswer has received so far. */
let relayed = 0;

/**
 * Samples the heap, and asks /health on its own connection, while `run` goes on; `healthAt` is how
 * many bytes of the answer had arrived when each /health answer came.
 */
async function whileWatching(proxy: RunningProxy, run: () => Promise<void>): Promise<{ heapGrowth: number; healthAt: number[] }> {
  const baseline = process.memoryUsage().heapUsed;
  let heapPeak = baseline;
  const healthAt: number[] = [];
  let running = true;
  const healthAgent = new Agent({ connections: 1 });
  const watcher = (async () => {
    while (running) {
      const res = await request(`${proxy.url}/health`, { dispatcher: healthAgent });
      await res.body.dump();
      healthAt.push(relayed);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    await run();
  } finally {
    running = false;
    await watcher;
    await healthAgent.close();
  }
  return { heapGrowth: heapPeak - baseline, healthAt };
}

/** Reads up to `limit` bytes of the answer (then aborts); returns how many arrived and the text of the last 4 KiB. */
async function readAnswer(proxy: RunningProxy, limit = Number.POSITIVE_INFINITY): Promise<{ status: number; bytes: number; tail: string }> {
  const controller = new AbortController();
  const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body, dispatcher: agent, signal: controller.signal });
  let bytes = 0;
  let tail = '';
  relayed = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      relayed = bytes;
      tail = (tail + chunk.toString('latin1')).slice(-4096);
      if (bytes >= limit) controller.abort();
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { status: res.statusCode, bytes, tail };
}

describe('a remote SSE answer that never ends its event', () => {
  const handler: Handler = async (_req, res) => {
    res.writeHead(200, streamHead);
    res.write(sse(streams.text().slice(0, 2)));
    res.write('data: ');
    await writePadding(res, null);
  };

  const gateway = useGateway({ handler, settings: { remote: { maxSseEventBytes: MiB }, local: { enabled: false } } });

  it('passes through while the usage reader stops at the limit: the heap stays bounded and the proxy serves', async () => {
    const answer = 48 * MiB;
    const seen = await whileWatching(gateway.proxy, async () => {
      const result = await readAnswer(gateway.proxy, answer);
      expect(result.status).toBe(200);
      expect(result.bytes).toBeGreaterThanOrEqual(answer);
    });
    // Holding the event would need the whole 48 MiB (as a string, more); the reader keeps at most 1 MiB.
    expect(seen.heapGrowth).toBeLessThan(24 * MiB);
    const event = await eventually(() => gateway.proxy.events[0]);
    // The usage read before the endless event is kept.
    expect(event.metadata).toMatchObject({ routing_decision: 'remote', input_tokens: 42 });
  });
});

describe('a remote SSE answer with one 64 MiB line', () => {
  const events = streams.text();
  const handler: Handler = async (_req, res) => {
    res.writeHead(200, streamHead);
    res.write(sse(events.slice(0, 2)));
    res.write('event: ping\ndata: {"type":"ping","pad":"');
    await writePadding(res, 64 * MiB, `"}\n\n${sse(events.slice(2))}`);
  };

  // The default limit: the line is far beyond it.
  const gateway = useGateway({ handler, settings: { local: { enabled: false } } });

  it('relays every byte while /health of another client keeps answering', async () => {
    const seen = await whileWatching(gateway.proxy, async () => {
      const result = await readAnswer(gateway.proxy);
      expect(result.status).toBe(200);
      expect(result.bytes).toBeGreaterThan(64 * MiB);
      expect(result.tail).toContain('event: message_stop');
    });
    // The proxy answered another client while it was in the middle of relaying the one huge event.
    expect(seen.healthAt.some((bytes) => bytes > 16 * MiB && bytes < 48 * MiB)).toBe(true);
    expect(seen.heapGrowth).toBeLessThan(32 * MiB);
  });
});

describe('a local SSE answer that never ends its event', () => {
  let local: FakeUpstream;
  const handler: Handler = async (req, res) => {
    if (req.url !== '/v1/messages') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, streamHead);
    res.write('event: message_start\ndata: ');
    await writePadding(res, null);
  };

  beforeAll(async () => {
    local = await new FakeUpstream(handler).start();
    return () => local.stop();
  });
  const gateway = useGateway(() => ({
    settings: { local: { kind: 'anthropic', url: local.url, aliases: ['claude-local-test'], maxSseEventBytes: MiB } },
    secrets: { remoteApiKey: 'sk-ant-configured' },
  }));

  it('fails as malformed before the first byte, so the remote route answers', async () => {
    const res = await request(`${gateway.proxy.url}/v1/messages`, {
      method: 'POST',
      headers: claudeCodeHeaders(),
      body: JSON.stringify({ model: 'claude-local-test', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      dispatcher: agent,
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-claude-proxy-reason']).toBe('fallback:malformed');
    expect(text).toContain('event: message_stop');
    // The local answer was cut at the limit, not read to the end of the endless event.
    await eventually(async () => (await local.received[0]?.closed) !== undefined);
  });
});
