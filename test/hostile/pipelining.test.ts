import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../helpers/fake-anthropic.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { rawRequest } from './wire.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
let active = 0;
let peak = 0;

beforeAll(async () => {
  upstream = await new FakeUpstream(async (_req, res) => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"data":[]}');
  }).start();
  proxy = await startProxy({ remote: { url: upstream.url }, local: { enabled: false }, listen: { drainTimeoutMs: 60_000 } }, { secrets: { remoteApiKey: 'sk-ant-configured' } });
});
afterAll(async () => {
  await proxy.close();
  await upstream.stop();
});

const get = (n: number, close = false) => `GET /v1/files?n=${n} HTTP/1.1\r\nhost: localhost\r\n${close ? 'connection: close\r\n' : ''}\r\n`;

describe('pipelined requests', () => {
  it('are served one at a time, in order, all of them', async () => {
    peak = 0;
    const count = 40;
    const bytes = Array.from({ length: count }, (_, i) => get(i, i === count - 1)).join('');
    const responses = await rawRequest(proxy.url, bytes, 5000);
    expect(responses.map((r) => r.status)).toEqual(Array(count).fill(200));
    expect(peak).toBe(1);
    expect(upstream.received.slice(-count).map((r) => r.url)).toEqual(Array.from({ length: count }, (_, i) => `/v1/files?n=${i}`));
  });

  it('a client that leaves with requests queued leaves nothing in flight (shutdown does not wait for them)', async () => {
    const { port } = new URL(proxy.url);
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(Array.from({ length: 20 }, (_, i) => get(i)).join(''));
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
    // listen.drainTimeoutMs is a minute: a leaked in-flight count would hold shutdown past the test timeout.
    await proxy.close();
    proxy = await startProxy({ remote: { url: upstream.url }, local: { enabled: false } });
  });
});
