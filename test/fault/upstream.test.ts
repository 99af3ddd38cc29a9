import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { FakeUpstream, anthropicLike, sse, streams } from '../helpers/fake-anthropic.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { expectEnvelope } from '../hostile/wire.js';

/** A TCP server that does whatever `onSocket` does: for upstreams that do not speak HTTP properly. */
async function tcpUpstream(onSocket: (socket: Socket) => void): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const agent = new Agent({ connections: 8 });
const body = JSON.stringify(mainRequest('hi'));

async function post(proxy: RunningProxy, payload = body) {
  const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: payload, dispatcher: agent });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** Reads the whole body; resolves with what arrived and whether the stream ended cleanly. */
async function readAll(proxy: RunningProxy): Promise<{ status: number; text: string; clean: boolean }> {
  const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body, dispatcher: agent });
  let text = '';
  try {
    for await (const chunk of res.body) text += String(chunk);
    return { status: res.statusCode, text, clean: true };
  } catch {
    return { status: res.statusCode, text, clean: false };
  }
}

async function withProxy(remote: Record<string, unknown>, run: (proxy: RunningProxy) => Promise<void>): Promise<void> {
  const proxy = await startProxy({ remote, local: { enabled: false } });
  try {
    await run(proxy);
    // Whatever the upstream did, the proxy still serves.
    const res = await request(`${proxy.url}/health`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  } finally {
    await proxy.close();
  }
}

afterAll(async () => {
  await agent.close();
});

describe('the upstream refuses or resets before answering', () => {
  it('connection refused: 502 in the envelope, naming the upstream, x-should-retry false', async () => {
    const gone = await tcpUpstream(() => undefined);
    await gone.close();
    await withProxy({ url: gone.url }, async (proxy) => {
      const res = await post(proxy);
      expect(expectEnvelope(res.status, res.text, 502).message).toContain(gone.url);
      expect(res.headers['x-should-retry']).toBe('false');
      const event = await eventually(() => proxy.events[0]);
      expect(event.metadata).toMatchObject({ success: false, status: 502 });
    });
  });

  it.each<[string, (socket: Socket) => void]>([
    ['reset on connect', (s) => s.resetAndDestroy()],
    ['closed after reading the request', (s) => s.once('data', () => s.end())],
    ['reset after reading the request', (s) => s.once('data', () => s.resetAndDestroy())],
    ['answers with garbage', (s) => s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'))],
    ['answers with a broken status line', (s) => s.once('data', () => s.end('HTTP/1.1 2x0 OK\r\n\r\n'))],
    ['answers with an invalid header', (s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nbad header\r\n\r\n'))],
  ])('%s: 502 in the envelope', async (_name, behave) => {
    const upstream = await tcpUpstream(behave);
    try {
      await withProxy({ url: upstream.url }, async (proxy) => {
        const res = await post(proxy);
        expectEnvelope(res.status, res.text, 502);
      });
    } finally {
      await upstream.close();
    }
  });
});

describe('the upstream hangs', () => {
  it('no response headers within remote.headersTimeoutMs: 504 in the envelope saying it timed out', async () => {
    const upstream = await tcpUpstream(() => undefined);
    try {
      await withProxy({ url: upstream.url, headersTimeoutMs: 150 }, async (proxy) => {
        const res = await post(proxy);
        expect(expectEnvelope(res.status, res.text, 504).message).toContain('timed out');
      });
    } finally {
      await upstream.close();
    }
  });

  it('silent mid-stream for longer than remote.idleTimeoutMs: the client stream ends, it does not hang', async () => {
    const upstream = await new FakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(streams.text().slice(0, 2)));
    }).start();
    try {
      await withProxy({ url: upstream.url, idleTimeoutMs: 150 }, async (proxy) => {
        const got = await readAll(proxy);
        expect(got.status).toBe(200);
        expect(got.clean).toBe(false);
        expect(got.text).toBe(sse(streams.text().slice(0, 2)));
        const event = await eventually(() => proxy.events[0]);
        expect(event.metadata.success).toBe(false);
        expect(upstream.received).toHaveLength(1);
        await upstream.received[0]!.closed;
      });
    } finally {
      await upstream.stop();
    }
  });
});

describe('the upstream trickles', () => {
  it('an SSE answer one byte at a time arrives whole and its usage is read', async () => {
    const wire = sse(streams.toolUse());
    const upstream = await new FakeUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const byte of Buffer.from(wire)) {
        res.write(Buffer.of(byte));
        await new Promise(setImmediate);
      }
      res.end();
    }).start();
    try {
      await withProxy({ url: upstream.url }, async (proxy) => {
        const got = await readAll(proxy);
        expect(got).toMatchObject({ status: 200, clean: true, text: wire });
        const event = await eventually(() => proxy.events[0]);
        expect(event.metadata).toMatchObject({ success: true, input_tokens: 120, output_tokens: 33, stop_reason: 'tool_use' });
      });
    } finally {
      await upstream.stop();
    }
  });

  it('status line and headers one byte at a time', async () => {
    const json = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-5-5', content: [], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } });
    const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nrequest-id: req_011Slow\r\ncontent-length: ${json.length}\r\n\r\n`;
    const upstream = await tcpUpstream((socket) => {
      socket.once('data', async () => {
        for (const ch of head) {
          if (socket.destroyed) return;
          socket.write(ch);
          await sleep(1);
        }
        socket.end(json);
      });
    });
    try {
      await withProxy({ url: upstream.url }, async (proxy) => {
        const res = await post(proxy);
        expect(res).toMatchObject({ status: 200, text: json });
        expect(res.headers['request-id']).toBe('req_011Slow');
      });
    } finally {
      await upstream.close();
    }
  });
});

describe('the upstream ends a stream early', () => {
  const events = streams.text('one two three four');

  it('a clean end before message_stop: the client gets what was sent and the end; telemetry says incomplete', async () => {
    const upstream = await new FakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse(events.slice(0, 4)));
    }).start();
    try {
      await withProxy({ url: upstream.url }, async (proxy) => {
        const got = await readAll(proxy);
        expect(got).toMatchObject({ status: 200, text: sse(events.slice(0, 4)) });
        const event = await eventually(() => proxy.events[0]);
        expect(event.metadata).toMatchObject({ success: false, stream: true, input_tokens: 42 });
      });
    } finally {
      await upstream.stop();
    }
  });

  it('a cut in the middle of an event: the client stream fails instead of hanging', async () => {
    const wire = sse(events);
    const upstream = await new FakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(wire.slice(0, wire.indexOf('content_block_delta') + 30));
      setTimeout(() => res.socket?.destroy(), 10);
    }).start();
    try {
      await withProxy({ url: upstream.url }, async (proxy) => {
        const got = await readAll(proxy);
        expect(got.clean).toBe(false);
        expect(wire.startsWith(got.text)).toBe(true);
        const event = await eventually(() => proxy.events[0]);
        expect(event.metadata.success).toBe(false);
      });
    } finally {
      await upstream.stop();
    }
  });

  it('a JSON answer shorter than its content-length: the client does not get a complete body', async () => {
    const upstream = await tcpUpstream((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"type":"message"')));
    try {
      await withProxy({ url: upstream.url }, async (proxy) => {
        const got = await readAll(proxy);
        expect(got.clean).toBe(false);
        const event = await eventually(() => proxy.events[0]);
        expect(event.metadata.success).toBe(false);
      });
    } finally {
      await upstream.close();
    }
  });
});

describe('the upstream keeps serving afterwards', () => {
  const gateway = useGateway({ settings: { local: { enabled: false } } });
  afterEach(() => gateway.upstream.setHandler(anthropicLike()));

  it('a failed exchange does not poison the pooled connection for the next request', async () => {
    gateway.upstream.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(streams.text().slice(0, 1)));
      setTimeout(() => res.socket?.destroy(), 5);
    });
    expect((await readAll(gateway.proxy)).clean).toBe(false);
    gateway.upstream.setHandler(anthropicLike());
    for (let i = 0; i < 3; i++) expect((await readAll(gateway.proxy)).text).toBe(sse(streams.text()));
  });
});
