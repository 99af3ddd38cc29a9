import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeUpstream, anthropicLike, type Handler } from '../helpers/fake-anthropic.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { expectEnvelope, rawRequest } from './wire.js';

const ALIAS = 'claude-local-test';
let upstream: FakeUpstream;
let proxy: RunningProxy;
let bare: RunningProxy;

beforeAll(async () => {
  upstream = await new FakeUpstream(anthropicLike()).start();
  const remote = { url: upstream.url, maxModelListBytes: 64 * 1024 };
  const secrets = { secrets: { remoteApiKey: 'sk-ant-configured' } };
  proxy = await startProxy({ remote, local: { kind: 'anthropic', url: 'http://127.0.0.1:9', aliases: [ALIAS] }, rag: { enabled: false } }, secrets);
  bare = await startProxy({ remote, local: { enabled: false } }, secrets);
});
afterAll(async () => {
  await proxy.close();
  await bare.close();
  await upstream.stop();
});
afterEach(() => upstream.setHandler(anthropicLike()));

const ids = (text: string) => (JSON.parse(text) as { data: { id: string }[] }).data.map((m) => m.id);

describe('GET /v1/models', () => {
  it.each([401, 429, 500])('the upstream answers %i: the local aliases are still listed', async (status) => {
    upstream.setHandler((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'anthropic-ratelimit-requests-remaining': '0', 'retry-after': '7' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'no' } }));
    });
    const res = await request(`${proxy.url}/v1/models`);
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(ids(text)).toEqual([ALIAS]);
    expect(res.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
  });

  it('without aliases, a non-200 answer passes through with its headers (Location, rate limits)', async () => {
    upstream.setHandler((_req, res) => {
      res.writeHead(307, { location: 'https://elsewhere.example/v1/models', 'anthropic-ratelimit-requests-remaining': '3', 'content-type': 'text/plain' });
      res.end('moved');
    });
    const res = await request(`${bare.url}/v1/models`);
    expect(res.statusCode).toBe(307);
    expect(res.headers.location).toBe('https://elsewhere.example/v1/models');
    expect(res.headers['anthropic-ratelimit-requests-remaining']).toBe('3');
    expect(await res.body.text()).toBe('moved');
  });

  it('an upstream list larger than remote.maxModelListBytes: 502 in the envelope (without aliases), the aliases alone (with)', async () => {
    upstream.setHandler(async (_req, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":[');
      const entry = Buffer.from(`${JSON.stringify({ id: 'claude-x', type: 'model', display_name: 'x'.repeat(1000), created_at: '2026-01-01T00:00:00Z' })},`);
      for (let i = 0; i < 200 && !res.destroyed; i++) if (!res.write(entry)) await new Promise((r) => res.once('drain', r));
      res.end('{"id":"last","type":"model"}]}');
    });
    const without = await request(`${bare.url}/v1/models`);
    expectEnvelope(without.statusCode, await without.body.text(), 502);
    const withAliases = await request(`${proxy.url}/v1/models`);
    expect(withAliases.statusCode).toBe(200);
    expect(ids(await withAliases.body.text())).toEqual([ALIAS]);
  });
});

describe('Expect: 100-continue (curl sends it for bodies over 1 MiB)', () => {
  it('a message request is answered, not refused as unreachable', async () => {
    const body = JSON.stringify(mainRequest('hi'));
    const headers = Object.entries({ ...claudeCodeHeaders(), host: 'localhost', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue', connection: 'close' })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    const responses = await rawRequest(bare.url, `POST /v1/messages HTTP/1.1\r\n${headers}\r\n${body}`, 2000);
    expect(responses.at(-1)?.status).toBe(200);
    expect(upstream.received.at(-1)?.headers.expect).toBeUndefined();
  });

  it('a passthrough upload is forwarded without it', async () => {
    const handler: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"file_011"}');
    };
    upstream.setHandler(handler);
    const body = '{"purpose":"test"}';
    const responses = await rawRequest(
      bare.url,
      `POST /v1/files HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n${body}`,
      2000,
    );
    expect(responses.at(-1)?.status).toBe(200);
    expect(upstream.received.at(-1)?.headers.expect).toBeUndefined();
  });
});
