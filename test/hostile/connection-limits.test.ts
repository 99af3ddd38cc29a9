import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeUpstream, sse, streams } from '../helpers/fake-anthropic.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { expectEnvelope } from './wire.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw client socket that records what arrives and whether the server ended the connection. */
interface RawClient {
  socket: Socket;
  received: () => string;
  /** Resolves true when the server closes its side, false after `ms` without that. */
  closedByServer: (ms: number) => Promise<boolean>;
}

async function rawClient(proxy: RunningProxy): Promise<RawClient> {
  const { port } = new URL(proxy.url);
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  let text = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const onEnd = () => {
    ended = true;
    for (const w of waiters.splice(0)) w();
  };
  socket.on('end', onEnd).on('close', onEnd).on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    socket,
    received: () => text,
    closedByServer: (ms) =>
      ended
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(false), ms);
            waiters.push(() => {
              clearTimeout(timer);
              resolve(true);
            });
          }),
  };
}

const head = (length: number, extra = '') =>
  `POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${extra}\r\n`;

const bodyOf = (raw: string) => raw.slice(raw.indexOf('\r\n\r\n') + 4);

describe('receiving a request is bounded', () => {
  it('a body trickled slower than listen.requestTimeoutMs is cut with 408 and the connection closes', async () => {
    const proxy = await startProxy({ listen: { requestTimeoutMs: 400 }, local: { enabled: false } });
    try {
      const client = await rawClient(proxy);
      client.socket.write(head(1000));
      let closed = false;
      for (let i = 0; i < 40 && !closed; i++) {
        client.socket.write('{');
        closed = await client.closedByServer(100);
      }
      expect(closed).toBe(true);
      const raw = client.received();
      expect(raw.startsWith('HTTP/1.1 408')).toBe(true);
      expectEnvelope(408, bodyOf(raw), 408);
    } finally {
      await proxy.close();
    }
  });

  it('a streamed answer may last longer than the request timeout', async () => {
    const events = streams.text();
    const upstream = await new FakeUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const event of events) {
        res.write(sse([event]));
        await sleep(250);
      }
      res.end();
    }).start();
    const proxy = await startProxy({ listen: { requestTimeoutMs: 1_000 }, remote: { url: upstream.url }, local: { enabled: false } });
    try {
      const res = await request(`${proxy.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')) });
      const text = await res.body.text();
      expect(res.statusCode).toBe(200);
      expect(text).toContain('event: message_stop');
    } finally {
      await proxy.close();
      await upstream.stop();
    }
  });
});

describe('a refusal sent before the body arrived closes the connection', () => {
  it('401 for a missing proxy token, body still trickling: the server ends the connection', async () => {
    const proxy = await startProxy({ local: { enabled: false } }, { secrets: { inboundToken: 'proxy-token-0123456789' } });
    try {
      const client = await rawClient(proxy);
      client.socket.write(head(100_000) + '{"model":');
      const closed = await client.closedByServer(3000);
      expect(closed).toBe(true);
      const raw = client.received();
      expect(raw.startsWith('HTTP/1.1 401')).toBe(true);
      expect(raw.toLowerCase()).toContain('connection: close');
    } finally {
      await proxy.close();
    }
  });
});

describe('listen.maxConnections', () => {
  it('connections beyond the cap are closed at once; those within it are served', async () => {
    const proxy = await startProxy({ listen: { maxConnections: 2 }, local: { enabled: false } });
    try {
      const first = await rawClient(proxy);
      const second = await rawClient(proxy);
      const third = await rawClient(proxy);
      expect(await third.closedByServer(3000)).toBe(true);
      expect(third.received()).toBe('');
      first.socket.write('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      for (let i = 0; i < 30 && !first.received().includes('"status":"ok"'); i++) await sleep(50);
      expect(first.received().startsWith('HTTP/1.1 200')).toBe(true);
      first.socket.destroy();
      second.socket.destroy();
    } finally {
      await proxy.close();
    }
  });
});
