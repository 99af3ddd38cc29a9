import { connect } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { anthropicLike } from '../helpers/fake-anthropic.js';
import { expectEnvelope, rawRequest } from './wire.js';
import { useGateway } from '../helpers/gateway.js';

const gateway = useGateway({ settings: { local: { enabled: false } } });
let host: string;

beforeAll(() => {
  host = new URL(gateway.proxy.url).host;
});
afterEach(async () => {
  // The process is still alive and serving after every hostile exchange.
  const res = await request(`${gateway.proxy.url}/health`);
  expect(res.statusCode).toBe(200);
  await res.body.text();
  gateway.upstream.received.length = 0;
});

const BODY = JSON.stringify({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });

function post(path: string, extraHead: string, body = BODY): string {
  return `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nconnection: close\r\ncontent-type: application/json\r\n${extraHead}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

async function expectRejected(bytes: string | Buffer, status?: number | ((s: number) => boolean)) {
  const responses = await rawRequest(gateway.proxy.url, bytes);
  expect(responses.length, 'one answer').toBeGreaterThanOrEqual(1);
  for (const r of responses) expectEnvelope(r.status, r.body, status ?? ((s) => s >= 400 && s < 500));
  expect(gateway.upstream.received).toHaveLength(0);
  return responses;
}

describe('malformed header fields', () => {
  it.each([
    ['bare CR inside a value', 'x-evil: a\rinjected: b\r\n'],
    ['NUL inside a value', 'x-evil: a\u0000b\r\n'],
    ['obsolete line folding', 'x-evil: a\r\n folded\r\n'],
    ['a space before the colon', 'x-evil : a\r\n'],
    ['a header name with a slash', 'x/evil: a\r\n'],
  ])('%s: 400 in the envelope, nothing forwarded', async (_name, head) => {
    await expectRejected(post('/v1/messages', head), 400);
  });

  it('a header block larger than the limit: 431 in the envelope', async () => {
    await expectRejected(post('/v1/messages', `x-big: ${'a'.repeat(20_000)}\r\n`), 431);
  });

  it('bytes above 0x7f in a header value pass through without harm', async () => {
    const bytes = Buffer.concat([Buffer.from(post('/v1/messages', '').split('content-length')[0]!, 'latin1'), Buffer.from([0x78, 0x2d, 0x6e, 0x3a, 0x20, 0xff, 0xc3, 0x28, 0x0d, 0x0a]), Buffer.from(`content-length: ${BODY.length}\r\n\r\n${BODY}`)]);
    const [res] = await rawRequest(gateway.proxy.url, bytes);
    expect(res!.status).toBe(200);
  });
});

describe('request framing (smuggling)', () => {
  it('Content-Length together with Transfer-Encoding is refused, and the smuggled request never runs', async () => {
    const smuggled = `GET /v1/models HTTP/1.1\r\nHost: ${host}\r\nconnection: close\r\n\r\n`;
    const bytes = `POST /v1/messages HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/json\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`;
    const responses = await expectRejected(bytes, 400);
    expect(responses).toHaveLength(1);
  });

  it('two different Content-Length values are refused', async () => {
    await expectRejected(post('/v1/messages', 'content-length: 3\r\n'), 400);
  });

  it('a chunk size that is not hex is refused', async () => {
    const bytes = `POST /v1/messages HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`;
    await expectRejected(bytes, 400);
  });

  it('transfer-encoding other than chunked last is refused', async () => {
    const bytes = `POST /v1/messages HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n`;
    await expectRejected(bytes, 400);
  });

  it('a body shorter than its Content-Length ends without an answer outside the envelope', async () => {
    const bytes = `POST /v1/messages HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"model":`;
    const responses = await rawRequest(gateway.proxy.url, bytes, 300);
    for (const r of responses) expectEnvelope(r.status, r.body);
    expect(gateway.upstream.received).toHaveLength(0);
  });
});

describe('odd request targets', () => {
  it.each([
    '/v1/../health',
    '/v1/messages/../../admin',
    '/v1/%2e%2e/admin',
    '/v1/%2E%2E/%2e%2e/admin',
    '/v1/messages%2f..%2f..%2fadmin',
    '/v1/..%5cadmin',
    '/v1/./models',
  ])('%s never reaches the upstream', async (path) => {
    await expectRejected(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nconnection: close\r\n\r\n`);
  });

  it.each(['/v1/messages%ff', '/v1/%zz', '/v1/messages%00'])('%s: 400 in the envelope', async (path) => {
    await expectRejected(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nconnection: close\r\n\r\n`, 400);
  });

  it('an absolute-form target naming another host is not proxied there', async () => {
    const responses = await rawRequest(gateway.proxy.url, `GET http://evil.example/v1/models HTTP/1.1\r\nHost: ${host}\r\nconnection: close\r\n\r\n`);
    for (const r of responses) expectEnvelope(r.status, r.body, (s) => s >= 400);
  });

  it('a path that starts with two slashes is not proxied', async () => {
    const responses = await rawRequest(gateway.proxy.url, `GET //evil.example/v1/models HTTP/1.1\r\nHost: ${host}\r\nconnection: close\r\n\r\n`);
    for (const r of responses) expectEnvelope(r.status, r.body, (s) => s >= 400);
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('an unknown method on a known path stays in the envelope', async () => {
    const responses = await rawRequest(gateway.proxy.url, `BREW /v1/messages HTTP/1.1\r\nHost: ${host}\r\nconnection: close\r\n\r\n`);
    for (const r of responses) expectEnvelope(r.status, r.body, (s) => s >= 400);
  });
});

describe('malformed requests on a connection in use', () => {
  /** Sends `first`, waits for the first bytes of its answer, then sends `second`; returns everything read. */
  async function twoSteps(first: string, second: string, idleMs = 300): Promise<string> {
    const { hostname, port } = new URL(gateway.proxy.url);
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.setTimeout(idleMs, () => socket.destroy());
    const firstData = new Promise((r) => socket.once('data', r));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.write(first);
    await firstData;
    socket.write(second);
    await done;
    return Buffer.concat(chunks).toString('latin1');
  }
  const malformed = () => `GET /v1/models HTTP/1.1\r\nHost: ${host}\r\nx-evil: a\rb\r\n\r\n`;

  it('after a completed exchange on the same connection: the envelope', async () => {
    const text = await twoSteps(post('/v1/messages', '').replace('connection: close\r\n', ''), malformed());
    const second = text.slice(text.indexOf('HTTP/1.1', 10));
    expect(text.startsWith('HTTP/1.1 200')).toBe(true);
    expect(second.startsWith('HTTP/1.1 400')).toBe(true);
    expectEnvelope(400, second.slice(second.indexOf('\r\n\r\n') + 4));
  });

  it('behind a stream still being sent: the stream is cut, never interleaved with an error', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    gateway.upstream.setHandler(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ping\ndata: {"type":"ping"}\n\n');
      await gate;
      res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    });
    const text = await twoSteps(post('/v1/messages', '').replace('connection: close\r\n', ''), malformed());
    release();
    gateway.upstream.setHandler(anthropicLike());
    expect(text.startsWith('HTTP/1.1 200')).toBe(true);
    expect(text).not.toContain('HTTP/1.1 400');
    expect(text).not.toContain('"type":"error"');
  });
});
