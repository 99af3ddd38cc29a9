import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Upstream } from '../../src/upstream/client.js';
import { probeResult } from '../../src/upstream/probe.js';

/** Polls until `done` holds (bounded), for events that happen on other sockets. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error('the condition never held');
}

/**
 * A server that, like llama-server after a stream, closes each connection once it has answered.
 * It records every connection it accepts and the connection each request came on.
 */
async function closingServer(): Promise<{ server: Server; url: string; sockets: Socket[]; requestSockets: Socket[]; paths: string[] }> {
  const sockets: Socket[] = [];
  const requestSockets: Socket[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    requestSockets.push(req.socket);
    paths.push(req.url ?? '');
    res.end('ok', () => req.socket.destroy());
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets, requestSockets, paths };
}

async function get(upstream: Upstream): Promise<string> {
  const response = await upstream.request('/', { method: 'GET' });
  return response.body.text();
}

describe('Upstream with a spare connection, against a server that closes each connection', () => {
  let server: Server | null = null;
  let upstream: Upstream | null = null;
  afterEach(async () => {
    await upstream?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = null;
    upstream = null;
  });

  /** A closing server and an upstream with a spare, after one answered request and its spare opened. */
  async function withSpare(): Promise<{ backend: Awaited<ReturnType<typeof closingServer>>; client: Upstream; spare: Socket | undefined }> {
    const backend = await closingServer();
    server = backend.server;
    const client = new Upstream(backend.url, { connectTimeoutMs: 2_000, spareConnection: true });
    upstream = client;
    expect(await get(client)).toBe('ok');
    await until(() => backend.sockets.length === 2);
    return { backend, client, spare: backend.sockets[1] };
  }

  it('opens the next connection as the last one closes, and sends the next request on it', async () => {
    const { backend, client, spare } = await withSpare();
    expect(await get(client)).toBe('ok');
    expect(backend.requestSockets[1]).toBe(spare);
  });

  it('sends a health probe on a connection of its own: the request made with it still gets the spare', async () => {
    const { backend, client, spare } = await withSpare();
    const judge = (status: number) => probeResult(status === 200, `HTTP ${status}`);
    const [probed, answered] = await Promise.all([client.probe('/v1/models', judge, { timeoutMs: 2_000 }), get(client)]);
    expect(probed.ok).toBe(true);
    expect(answered).toBe('ok');
    expect(backend.paths).toHaveLength(3);
    expect(backend.requestSockets[backend.paths.lastIndexOf('/')]).toBe(spare);
    expect(backend.requestSockets[backend.paths.indexOf('/v1/models')]).not.toBe(spare);
  });

  it('does not replace a spare the server closes while it waits, and still answers on a new connection', async () => {
    const { backend, client, spare } = await withSpare();
    spare?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(backend.sockets).toHaveLength(2);
    expect(await get(client)).toBe('ok');
    expect(backend.requestSockets[1]).toBe(backend.sockets[2]);
  });

  it('closes the spare when the upstream is closed', async () => {
    const { backend, client, spare } = await withSpare();
    await client.close();
    upstream = null;
    await until(() => spare?.destroyed === true);
    expect(backend.sockets).toHaveLength(2);
  });

  it('opens nothing ahead without the option', async () => {
    const backend = await closingServer();
    server = backend.server;
    upstream = new Upstream(backend.url, { connectTimeoutMs: 2_000 });
    await get(upstream);
    await new Promise((r) => setTimeout(r, 100));
    expect(backend.sockets).toHaveLength(1);
  });
});
