import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { resolveConfig } from '../../src/config/load.js';
import { RemoteBackend } from '../../src/backends/remote.js';
import { startProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { expectEnvelope, expectNoStack, rawRequest } from '../hostile/wire.js';
import { useGateway } from '../helpers/gateway.js';

const gateway = useGateway({ settings: { local: { enabled: false }, listen: { allowedHosts: ['gateway.proxy.internal.test'], allowedOrigins: ['https://trusted.example'] } } });
let port: number;
const agent = new Agent({ connections: 4 });

beforeAll(() => {
  port = (gateway.proxy.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await agent.close();
});
afterEach(() => {
  gateway.upstream.received.length = 0;
});

const body = JSON.stringify(mainRequest('hello'));

async function send(headers: Record<string, string>, path = '/v1/messages?beta=true', method: 'POST' | 'GET' = 'POST') {
  const res = await request(`${gateway.proxy.url}${path}`, { method, headers, body: method === 'POST' ? body : undefined, dispatcher: agent });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('bind address', () => {
  it('the default configuration listens on loopback only', () => {
    expect(resolveConfig({}, { HOME: '/nonexistent' }).listen.host).toBe('127.0.0.1');
  });

  it('the running server is bound to 127.0.0.1', () => {
    expect((gateway.proxy.app.server.address() as AddressInfo).address).toBe('127.0.0.1');
  });
});

describe('Host allowlist (DNS rebinding)', () => {
  it.each([`127.0.0.1:${0}`, 'localhost', 'LOCALHOST:8094', '[::1]:8094', '127.0.0.5', 'gateway.proxy.internal.test:443'])('%s is served', async (host) => {
    const res = await send({ ...claudeCodeHeaders(), host: host.replace(':0', `:${port}`) });
    expect(res.status).toBe(200);
    expect(gateway.upstream.received).toHaveLength(1);
  });

  it.each(['attacker.example', 'attacker.example:8094', 'localhost.attacker.example', '127.0.0.1.nip.io', '0x7f.0.0.1', '[::ffff:7f00:1]', '', 'localhost@attacker.example'])(
    'Host %j: 403 permission_error, nothing forwarded',
    async (host) => {
      const res = await send({ ...claudeCodeHeaders(), host });
      expect(expectEnvelope(res.status, res.text, 403).type).toBe('permission_error');
      expect(gateway.upstream.received).toHaveLength(0);
    },
  );

  it('a request without a Host header is refused', async () => {
    const [res] = await rawRequest(gateway.proxy.url, `GET /v1/models HTTP/1.0\r\n\r\n`);
    expectEnvelope(res!.status, res!.body, (s) => s === 400 || s === 403);
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('every route is behind the allowlist, not only the API', async () => {
    for (const path of ['/health', '/', '/v1/models', '/unknown']) {
      const res = await send({ host: 'attacker.example' }, path, 'GET');
      expectEnvelope(res.status, res.text, 403);
    }
  });
});

describe('browser Origin', () => {
  it.each(['https://attacker.example', 'http://localhost:3000', `http://127.0.0.1:${0}`, 'null', 'https://trusted.example.attacker.example'])(
    'Origin %s: 403, nothing forwarded',
    async (origin) => {
      const res = await send({ ...claudeCodeHeaders(), origin: origin.replace(':0', `:${port}`) });
      expect(expectEnvelope(res.status, res.text, 403).type).toBe('permission_error');
      expect(gateway.upstream.received).toHaveLength(0);
    },
  );

  it('a preflight from a browser is refused too', async () => {
    const res = await request(`${gateway.proxy.url}/v1/messages`, {
      method: 'OPTIONS',
      headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST' },
      dispatcher: agent,
    });
    expectEnvelope(res.statusCode, await res.body.text(), 403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('an allowed origin is served', async () => {
    const res = await send({ ...claudeCodeHeaders(), origin: 'https://trusted.example' });
    expect(res.status).toBe(200);
  });
});

describe('POST bodies must be JSON', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['JSON look-alike', 'application/jsonx'],
  ])('%s: 4xx in the envelope, nothing forwarded', async (_name, type) => {
    for (const path of ['/v1/messages?beta=true', '/v1/messages/count_tokens']) {
      const res = await send({ ...claudeCodeHeaders(), 'content-type': type }, path);
      expectEnvelope(res.status, res.text, (s) => s === 400 || s === 415);
    }
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('no content type at all: 4xx in the envelope', async () => {
    const headers = claudeCodeHeaders();
    delete headers['content-type'];
    const res = await send(headers);
    expectEnvelope(res.status, res.text, (s) => s === 400 || s === 415);
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('application/json with a charset is served', async () => {
    const res = await send({ ...claudeCodeHeaders(), 'content-type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(200);
  });
});

describe('no stack traces in answers', () => {
  it('an internal failure answers 500 in the envelope without a stack', async () => {
    class BrokenRemote extends RemoteBackend {
      override async serve(): Promise<never> {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      }
    }
    const config = resolveConfig({ remote: { url: gateway.upstream.url } }, { HOME: '/nonexistent' });
    const broken = await startProxy({ remote: { url: gateway.upstream.url }, local: { enabled: false } }, { ctx: { remote: new BrokenRemote(config.remote, null) } });
    try {
      const res = await request(`${broken.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body, dispatcher: agent });
      const text = await res.body.text();
      const error = expectEnvelope(res.statusCode, text, 500);
      expect(error.message).not.toMatch(/Cannot read|TypeError/);
    } finally {
      await broken.close();
    }
  });

  it('an unreachable upstream answers in the envelope without a stack', async () => {
    const gone = await startProxy({ remote: { url: 'http://127.0.0.1:9' }, local: { enabled: false } });
    try {
      for (const path of ['/v1/messages', '/v1/messages/count_tokens', '/v1/files']) {
        const res = await request(`${gone.url}${path}`, { method: 'POST', headers: claudeCodeHeaders(), body, dispatcher: agent });
        const text = await res.body.text();
        expectEnvelope(res.statusCode, text, (s) => s >= 500);
        expectNoStack(text);
      }
    } finally {
      await gone.close();
    }
  });
});
