import { connect } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { anthropicLike, sse, streams, type Received } from '../helpers/fake-anthropic.js';
import { eventually } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { useGateway } from '../helpers/gateway.js';

const gateway = useGateway({ settings: { local: { enabled: false } } });
const agent = new Agent({ connections: 64 });

afterAll(async () => {
  await agent.close();
});
afterEach(() => {
  gateway.upstream.setHandler(anthropicLike());
  gateway.upstream.received.length = 0;
  gateway.proxy.events.length = 0;
});

/** Resolves 'closed' when the upstream saw its request end, or 'open' if it did not within the bound. */
const upstreamSawClose = (received: Received, boundMs = 2000) =>
  Promise.race([received.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), boundMs))]);

const holdOpen = () => undefined;
const streamForever = (_req: Received, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(sse(streams.text().slice(0, 2)));
};

async function open(signal: AbortSignal, stream = true) {
  return request(`${gateway.proxy.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: claudeCodeHeaders(),
    body: JSON.stringify(mainRequest('hi', { stream })),
    signal,
    dispatcher: agent,
  });
}

describe('a client that goes away aborts the upstream request', () => {
  it('before the upstream answered', async () => {
    gateway.upstream.setHandler(holdOpen);
    const controller = new AbortController();
    const pending = open(controller.signal).catch((e: Error) => e);
    const received = await eventually(() => gateway.upstream.received[0]);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    expect(await upstreamSawClose(received)).toBe('closed');
    const event = await eventually(() => gateway.proxy.events[0]);
    expect(event.metadata).toMatchObject({ status: 499, success: false });
  });

  it('in the middle of a stream', async () => {
    gateway.upstream.setHandler(streamForever);
    const controller = new AbortController();
    const res = await open(controller.signal);
    await res.body[Symbol.asyncIterator]().next();
    controller.abort();
    expect(await upstreamSawClose(gateway.upstream.received[0]!)).toBe('closed');
    const event = await eventually(() => gateway.proxy.events[0]);
    expect(event.metadata).toMatchObject({ success: false, stream: true });
  });

  it('in the middle of a non-streaming answer', async () => {
    gateway.upstream.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      res.write('{"type":"message","content":[');
    });
    const controller = new AbortController();
    const res = await open(controller.signal, false);
    await res.body[Symbol.asyncIterator]().next();
    controller.abort();
    expect(await upstreamSawClose(gateway.upstream.received[0]!)).toBe('closed');
  });

  it('while still sending its request body: nothing is forwarded and the server keeps serving', async () => {
    const { hostname, port } = new URL(gateway.proxy.url);
    const socket = connect({ host: hostname, port: Number(port) });
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST /v1/messages HTTP/1.1\r\nHost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"model":"claude-`);
    await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 20));
    expect(gateway.upstream.received).toHaveLength(0);
    const res = await request(`${gateway.proxy.url}/health`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('fifty aborted streams leave no upstream request open', async () => {
    gateway.upstream.setHandler(streamForever);
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const controller = new AbortController();
        const res = await open(controller.signal);
        await res.body[Symbol.asyncIterator]().next();
        controller.abort();
      }),
    );
    expect(gateway.upstream.received).toHaveLength(50);
    const states = await Promise.all(gateway.upstream.received.map((r) => upstreamSawClose(r)));
    expect(states.filter((s) => s === 'closed')).toHaveLength(50);
    gateway.upstream.setHandler(anthropicLike());
    const res = await request(`${gateway.proxy.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('again')), dispatcher: agent });
    expect(await res.body.text()).toBe(sse(streams.text()));
  });
});
