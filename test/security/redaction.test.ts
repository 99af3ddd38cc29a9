import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { resolveConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { buildApp } from '../../src/server/app.js';
import type { AppContext } from '../../src/server/context.js';
import { createContext } from '../../src/server/runtime.js';
import { FakeUpstream, anthropicLike, sse, streams } from '../helpers/fake-anthropic.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';

const TOKEN = 'cap-inbound-SECRET-5d1f0a';
const REMOTE_KEY = 'sk-ant-SECRET-remote-93c2';
const CLIENT_KEY = 'sk-ant-SECRET-client-17ab';
const OAUTH = 'sk-ant-oat01-SECRET-oauth-4e6f';
const LOCAL_KEY = 'local-SECRET-key-0b7c';
const SECRETS = [TOKEN, REMOTE_KEY, CLIENT_KEY, OAUTH, LOCAL_KEY];

const lines: string[] = [];
let upstream: FakeUpstream;
let app: FastifyInstance;
let ctx: AppContext;
let url: string;
let home: string;
const agent = new Agent({ connections: 4 });

beforeAll(async () => {
  upstream = await new FakeUpstream(anthropicLike()).start();
  home = await mkdtemp(join(tmpdir(), 'cap-redact-'));
  const logger = createLogger('trace', false, { write: (line: string) => void lines.push(line) });
  const config = resolveConfig(
    { listen: { port: 0 }, remote: { url: upstream.url }, local: { enabled: true, kind: 'openai', url: 'http://127.0.0.1:9', aliases: ['claude-local-alias'] } },
    { HOME: home },
  );
  ctx = createContext(config, { remoteApiKey: REMOTE_KEY, inboundToken: TOKEN, localApiKey: LOCAL_KEY }, logger);
  app = await buildApp(ctx, logger);
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.close();
  await app.close();
  await ctx.telemetry.flush();
  await ctx.remote.close();
  await upstream.stop();
  await rm(home, { recursive: true, force: true });
});

async function send(headers: Record<string, string>, body: unknown, path = '/v1/messages?beta=true') {
  const res = await request(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body), dispatcher: agent });
  await res.body.text().catch(() => '');
  return res.statusCode;
}

describe('credentials never reach a log line', () => {
  it('across served, refused, failed, fallen-back and aborted requests at trace level', async () => {
    const withToken = (auth: Parameters<typeof claudeCodeHeaders>[0]) => ({ ...claudeCodeHeaders(auth), 'x-claude-proxy-token': TOKEN });
    expect(await send(withToken({ apiKey: CLIENT_KEY }), mainRequest('a'))).toBe(200);
    expect(await send(withToken({ bearer: OAUTH }), mainRequest('a', { stream: false }))).toBe(200);
    expect(await send(claudeCodeHeaders({ bearer: TOKEN }), mainRequest('a'))).toBe(200);
    expect(await send(claudeCodeHeaders({ apiKey: CLIENT_KEY }), mainRequest('a'))).toBe(401);
    expect(await send(withToken({ apiKey: CLIENT_KEY }), { model: 5 })).toBe(400);
    // The local backend is unreachable: the request falls back to the remote route with a warning.
    expect(await send(withToken({ apiKey: CLIENT_KEY }), mainRequest('b', { model: 'claude-local-alias' }))).toBe(200);

    upstream.setHandler((_req, res) => {
      res.destroy();
    });
    expect(await send(withToken({ apiKey: CLIENT_KEY }), mainRequest('c'))).toBeGreaterThanOrEqual(500);
    upstream.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(streams.text()).slice(0, 200));
      setTimeout(() => res.destroy(), 20);
    });
    await send(withToken({ apiKey: CLIENT_KEY }), mainRequest('d')).catch(() => 0);
    upstream.setHandler(anthropicLike());

    await new Promise((r) => setTimeout(r, 50));
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
    // The credentials really were in use (the upstream saw the client's own and the configured key).
    expect(upstream.received.some((r) => r.headers['x-api-key'] === CLIENT_KEY)).toBe(true);
    expect(upstream.received.some((r) => r.headers['x-api-key'] === REMOTE_KEY)).toBe(true);
  });

  it('a request object passed to the logger shows no headers', () => {
    const before = lines.length;
    app.log.warn({ req: { headers: { authorization: `Bearer ${OAUTH}`, 'x-api-key': CLIENT_KEY, 'x-claude-proxy-token': TOKEN } } }, 'diagnostic');
    const line = lines.slice(before).join('');
    expect(line).toContain('diagnostic');
    for (const secret of SECRETS) expect(line).not.toContain(secret);
  });

  it.each<[string, Record<string, unknown>]>([
    ['bare headers', { headers: { authorization: `Bearer ${OAUTH}`, 'x-api-key': CLIENT_KEY, 'x-claude-proxy-token': TOKEN } }],
    ['headers one level down', { upstream: { headers: { authorization: `Bearer ${OAUTH}`, 'x-api-key': CLIENT_KEY } } }],
    ['headers of an error', { err: { message: 'upstream failed', headers: { 'x-api-key': CLIENT_KEY, 'x-claude-proxy-token': TOKEN } } }],
    ['headers of a request object', { request: { method: 'POST', headers: { authorization: `Bearer ${OAUTH}` } } }],
    ['a key in a settings object', { remote: { apiKey: REMOTE_KEY }, local: { apiKey: LOCAL_KEY } }],
  ])('%s passed to the logger are censored', (_name, fields) => {
    const before = lines.length;
    app.log.warn(fields, 'diagnostic');
    const line = lines.slice(before).join('');
    expect(line).toContain('diagnostic');
    expect(line).toContain('[redacted]');
    for (const secret of SECRETS) expect(line).not.toContain(secret);
  });
});
