import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { useGateway } from '../helpers/gateway.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { expectEnvelope, rawRequest } from './wire.js';

const body = JSON.stringify(mainRequest('hi'));

const gateway = useGateway({ settings: { local: { enabled: false } }, secrets: { remoteApiKey: 'sk-ant-configured' } });

async function send(method: string, path: string, payload: string | null = body) {
  const before = gateway.upstream.received.length;
  const res = await request(`${gateway.proxy.url}${path}`, { method: method as 'POST', headers: claudeCodeHeaders(), body: payload });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text(), forwarded: gateway.upstream.received.length - before };
}

describe('near misses of the routed paths never pass through unrouted', () => {
  it.each(['/v1//messages', '/v1/messages/', '/v1/Messages', '/v1/messages;x', '/v1/messages%20', '/v1/MESSAGES/count_tokens', '/v1/messages/count_tokens/'])(
    'POST %s: 404 in the envelope, nothing forwarded',
    async (path) => {
      const res = await send('POST', path);
      expectEnvelope(res.status, res.text, 404);
      expect(res.forwarded).toBe(0);
    },
  );

  it.each(['GET', 'DELETE'])('%s /v1/messages: 405, allow POST', async (method) => {
    const res = await send(method, '/v1/messages', null);
    expectEnvelope(res.status, res.text, 405);
    expect(res.headers.allow).toBe('POST');
    expect(res.forwarded).toBe(0);
  });

  it.each(['/v1/files/..;/admin', '/v1/files/%252e%252e/admin', '/v1/files/a%2Fb'])('GET %s is refused, not forwarded raw', async (path) => {
    const [res] = await rawRequest(gateway.proxy.url, `GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n`);
    expectEnvelope(res!.status, res!.body, (s) => s === 400 || s === 404);
    expect(gateway.upstream.received.some((r) => r.url.includes('admin') || r.url.includes('%'))).toBe(false);
  });
});

describe('methods', () => {
  it.each(['TRACE', 'PUT', 'PATCH', 'OPTIONS'])('%s /v1/files: 405, nothing forwarded (no key added)', async (method) => {
    const [res] = await rawRequest(gateway.proxy.url, `${method} /v1/files HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    expectEnvelope(res!.status, res!.body, 405);
    expect(res!.head.toLowerCase()).toContain('allow: get, post, delete');
    expect(gateway.upstream.received.filter((r) => r.method === method)).toHaveLength(0);
  });

  it('GET, POST and DELETE of other API paths still pass through', async () => {
    for (const [method, path] of [['GET', '/v1/files'], ['POST', '/v1/messages/batches'], ['DELETE', '/v1/files/file_011abc']] as const) {
      const res = await send(method, path, method === 'POST' ? '{}' : null);
      expect(res.forwarded, `${method} ${path}`).toBe(1);
    }
  });
});
