import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendHttp } from '../../src/backends/local/http.js';
import { LocalFailure } from '../../src/backends/local/types.js';

const TIMEOUTS = { connectTimeoutMs: 2_000, firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000 };

/** A backend that cuts the connection of the first `cuts` requests without answering, then answers. */
async function cuttingBackend(cuts: number): Promise<{ server: Server; url: string; seen: () => number }> {
  let seen = 0;
  const server = createServer((req, res) => {
    seen += 1;
    if (seen <= cuts) {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen };
}

describe('BackendHttp.post and a connection cut before any answer', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = null;
  });

  it('sends the request once more on a new connection', async () => {
    const backend = await cuttingBackend(1);
    server = backend.server;
    const http = new BackendHttp(backend.url, TIMEOUTS, {});
    const response = await http.post('/v1/messages', { hello: 1 }, new AbortController().signal);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk);
    expect([response.status, Buffer.concat(chunks).toString()]).toEqual([200, '{"ok":true}']);
    expect(backend.seen()).toBe(2);
    await http.close();
  });

  it('gives up after the second cut, as an interrupted local failure', async () => {
    const backend = await cuttingBackend(2);
    server = backend.server;
    const http = new BackendHttp(backend.url, TIMEOUTS, {});
    const failure = await http.post('/v1/messages', { hello: 1 }, new AbortController().signal).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LocalFailure);
    expect((failure as LocalFailure).reason).toBe('interrupted');
    expect(backend.seen()).toBe(2);
    await http.close();
  });
});
