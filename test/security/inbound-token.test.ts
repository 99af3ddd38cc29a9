import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { Agent, request } from 'undici';
import { ConfigError, resolveConfig } from '../../src/config/load.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { expectEnvelope } from '../hostile/wire.js';
import { useGateway } from '../helpers/gateway.js';

const TOKEN = 'cap-inbound-7f3a9c1e5b2d4f60';
const REMOTE_KEY = 'sk-ant-configured-remote-key';
const CLIENT_KEY = 'sk-ant-client-own-key';

const gateway = useGateway({ settings: { local: { enabled: false } }, secrets: { inboundToken: TOKEN, remoteApiKey: REMOTE_KEY } });
const agent = new Agent({ connections: 4 });

afterAll(async () => {
  await agent.close();
});
afterEach(() => {
  // Whatever happened, the inbound token never travels gateway.upstream.
  for (const got of gateway.upstream.received) expect(JSON.stringify(got.headers)).not.toContain(TOKEN);
  gateway.upstream.received.length = 0;
});

const body = JSON.stringify(mainRequest('hello'));

async function send(headers: Record<string, string>, path = '/v1/messages?beta=true', method: 'POST' | 'GET' = 'POST') {
  const res = await request(`${gateway.proxy.url}${path}`, { method, headers, body: method === 'POST' ? body : undefined, dispatcher: agent });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('a listener beyond loopback requires a token', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20', 'my-host.lan'])('listen.host %s without auth.tokenFile is a configuration error naming auth.tokenFile', (host) => {
    let error: unknown;
    try {
      resolveConfig({ listen: { host } }, { HOME: '/nonexistent' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.path)).toContain('auth.tokenFile');
  });

  it.each(['127.0.0.1', 'localhost', '::1'])('listen.host %s needs no token', (host) => {
    expect(resolveConfig({ listen: { host } }, { HOME: '/nonexistent' }).auth.tokenFile).toBeNull();
  });

  it('check-config exits 2 for such a file and names the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cap-sec-'));
    try {
      const file = join(dir, 'config.yaml');
      await writeFile(file, 'listen:\n  host: 0.0.0.0\n');
      const { code, err } = await cli(['check-config', file], { HOME: dir });
      expect(code).toBe(2);
      expect(err).toContain('auth.tokenFile');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('with a token configured', () => {
  it.each<[string, Record<string, string>]>([
    ['no credentials', claudeCodeHeaders({})],
    ["the client's own key only", claudeCodeHeaders({ apiKey: CLIENT_KEY })],
    ['a wrong dedicated token', { ...claudeCodeHeaders({ apiKey: CLIENT_KEY }), 'x-claude-proxy-token': 'wrong' }],
    ['a prefix of the token', { ...claudeCodeHeaders({}), 'x-claude-proxy-token': TOKEN.slice(0, -1) }],
    ['the token with a suffix', claudeCodeHeaders({ apiKey: `${TOKEN}x` })],
    ['an empty token', { ...claudeCodeHeaders({}), 'x-claude-proxy-token': '' }],
    ['the token in another case', claudeCodeHeaders({ bearer: TOKEN.toUpperCase() })],
    ['a multi-byte look-alike of the same length', claudeCodeHeaders({ apiKey: `${TOKEN.slice(0, -2)}é` })],
  ])('%s: 401 authentication_error, nothing forwarded', async (_name, headers) => {
    const res = await send(headers);
    expect(expectEnvelope(res.status, res.text, 401).type).toBe('authentication_error');
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('the dedicated header admits the client, whose own key goes upstream', async () => {
    const res = await send({ ...claudeCodeHeaders({ apiKey: CLIENT_KEY }), 'x-claude-proxy-token': TOKEN });
    expect(res.status).toBe(200);
    expect(gateway.upstream.received[0]!.headers['x-api-key']).toBe(CLIENT_KEY);
    expect(gateway.upstream.received[0]!.headers['x-claude-proxy-token']).toBeUndefined();
  });

  it('the dedicated header with an OAuth Bearer keeps the Bearer upstream', async () => {
    const res = await send({ ...claudeCodeHeaders({ bearer: 'sk-ant-oat01-user' }), 'x-claude-proxy-token': TOKEN });
    expect(res.status).toBe(200);
    expect(gateway.upstream.received[0]!.headers.authorization).toBe('Bearer sk-ant-oat01-user');
  });

  it.each<[string, Record<string, string>]>([
    ['x-api-key', claudeCodeHeaders({ apiKey: TOKEN })],
    ['Bearer', claudeCodeHeaders({ bearer: TOKEN })],
    ['lower-case bearer', { ...claudeCodeHeaders({}), authorization: `bearer ${TOKEN}` }],
  ])('the token as %s is replaced by the configured key', async (_name, headers) => {
    const res = await send(headers);
    expect(res.status).toBe(200);
    expect(gateway.upstream.received[0]!.headers['x-api-key']).toBe(REMOTE_KEY);
    expect(gateway.upstream.received[0]!.headers.authorization).toBeUndefined();
  });

  it('passthrough routes replace it the same way', async () => {
    const res = await send(claudeCodeHeaders({ apiKey: TOKEN }), '/v1/models', 'GET');
    expect(res.status).toBe(200);
    expect(gateway.upstream.received[0]!.headers['x-api-key']).toBe(REMOTE_KEY);
    await send(claudeCodeHeaders({ bearer: TOKEN }), '/v1/messages/count_tokens');
    expect(gateway.upstream.received[1]!.headers['x-api-key']).toBe(REMOTE_KEY);
  });

  it('every route is behind the token', async () => {
    for (const path of ['/v1/models', '/v1/files', '/unknown']) {
      const res = await send({}, path, 'GET');
      expectEnvelope(res.status, res.text, 401);
    }
    expect(gateway.upstream.received).toHaveLength(0);
  });
});
