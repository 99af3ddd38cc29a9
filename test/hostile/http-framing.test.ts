import { describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';
import { expectEnvelope, rawRequest } from './wire.js';

const gateway = useGateway({ settings: { local: { enabled: false } }, secrets: { remoteApiKey: 'sk-ant-configured' } });

async function one(bytes: string): Promise<{ status: number; head: string; body: string }> {
  const responses = await rawRequest(gateway.proxy.url, bytes);
  expect(responses).toHaveLength(1);
  return responses[0]!;
}

describe('errors Node would answer itself are in the envelope', () => {
  it('HTTP/1.1 without Host: 400', async () => {
    const res = await one('GET /health HTTP/1.1\r\n\r\n');
    expect(expectEnvelope(res.status, res.body, 400).message).toContain('Host');
  });

  it('an Expect other than 100-continue: 417', async () => {
    const res = await one('POST /v1/messages HTTP/1.1\r\nhost: localhost\r\nexpect: 200-ok\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}');
    expectEnvelope(res.status, res.body, 417);
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('CONNECT: 405, and no tunnel', async () => {
    const res = await one(`CONNECT ${new URL(gateway.upstream.url).host} HTTP/1.1\r\nhost: ${new URL(gateway.upstream.url).host}\r\n\r\n`);
    expectEnvelope(res.status, res.body, 405);
    expect(res.head.toLowerCase()).toContain('allow: get, head, post, delete');
  });
});

describe('the Host header is parsed strictly', () => {
  it('two Host headers: 400, even when both are allowed', async () => {
    const res = await one('GET /health HTTP/1.1\r\nhost: localhost\r\nhost: 127.0.0.1\r\n\r\n');
    expect(expectEnvelope(res.status, res.body, 400).message).toContain('more than one Host');
  });

  it.each(['[::1]anything', '[::1]:80x', '127.999.999.999', 'localhost:99999', 'localhost:8094:1', 'localhost:', '[::1', 'local_host'])('Host %j: 403', async (host) => {
    const res = await one(`GET /health HTTP/1.1\r\nhost: ${host}\r\n\r\n`);
    expectEnvelope(res.status, res.body, 403);
  });

  it.each(['localhost', 'LOCALHOST:8094', '[::1]:8094', '[::1]', '127.1.2.3:1'])('Host %j is served', async (host) => {
    const res = await one(`GET /health HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`);
    expect(res.status).toBe(200);
  });
});
