import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { anthropicLike, sse, streams } from '../helpers/fake-anthropic.js';
import { startProxy, eventually } from '../helpers/proxy.js';
import { claudeCodeHeaders, countTokensRequest, mainRequest, toolResultRequest } from '../fixtures/claude-code.js';
import { useGateway } from '../helpers/gateway.js';

const gateway = useGateway({ settings: { local: { enabled: false } } });
afterEach(() => {
  gateway.upstream.received.length = 0;
  gateway.upstream.setHandler(anthropicLike());
});

const client = (baseURL: string, auth: { apiKey?: string; authToken?: string } = { apiKey: 'sk-ant-client' }) =>
  new Anthropic({ baseURL, maxRetries: 0, ...auth });

async function rawStream(base: string, body: unknown, headers = claudeCodeHeaders()): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const res = await request(`${base}/v1/messages?beta=true`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe('remote passthrough with the official SDK', () => {
  it('messages.create gives what the upstream gives', async () => {
    const params = { model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Hi' }] };
    const direct = await client(gateway.upstream.url).messages.create(params);
    const proxied = await client(gateway.proxy.url).messages.create(params);
    expect(proxied).toEqual(direct);
  });

  it.each([
    ['text', () => streams.text()],
    ['tool_use with input_json_delta', () => streams.toolUse()],
    ['thinking with signature_delta', () => streams.thinking()],
  ])('messages.stream (%s): same final message, byte-equal SSE body', async (_name, events) => {
    gateway.upstream.setHandler(anthropicLike(events));
    const params = { model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Hi' }] };
    const direct = await client(gateway.upstream.url).messages.stream(params).finalMessage();
    const proxied = await client(gateway.proxy.url).messages.stream(params).finalMessage();
    expect(proxied).toEqual(direct);
    const body = { ...params, stream: true };
    const rawDirect = await rawStream(gateway.upstream.url, body);
    const rawProxied = await rawStream(gateway.proxy.url, body);
    expect(rawProxied.text).toBe(rawDirect.text);
    expect(rawProxied.text).toBe(sse(events()));
  });

  it('countTokens and models.list give what the upstream gives', async () => {
    const body = countTokensRequest();
    const direct = await client(gateway.upstream.url).messages.countTokens(body as Parameters<Anthropic['messages']['countTokens']>[0]);
    const proxied = await client(gateway.proxy.url).messages.countTokens(body as Parameters<Anthropic['messages']['countTokens']>[0]);
    expect(proxied).toEqual(direct);
    const directModels = await client(gateway.upstream.url).models.list();
    const proxiedModels = await client(gateway.proxy.url).models.list();
    expect(proxiedModels.data).toEqual(directModels.data);
  });
});

describe('what the upstream receives', () => {
  it.each<[string, { apiKey?: string; bearer?: string }]>([
    ['x-api-key', { apiKey: 'sk-ant-cc-key' }],
    ['Bearer', { bearer: 'sk-ant-oat01-token' }],
  ])('a Claude-Code-shaped request passes unchanged (%s)', async (_name, auth) => {
    const body = Buffer.from(JSON.stringify(mainRequest('Explain the build.'), null, 1));
    expect(body.length).toBeGreaterThan(50_000);
    const headers = claudeCodeHeaders(auth);
    const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, { method: 'POST', headers, body });
    await res.body.text();
    expect(res.statusCode).toBe(200);
    const got = gateway.upstream.received[0]!;
    expect(got.url).toBe('/v1/messages?beta=true');
    expect(got.body.equals(body)).toBe(true);
    for (const name of ['anthropic-version', 'anthropic-beta', 'user-agent', 'x-claude-code-session-id', 'x-app', 'x-stainless-lang']) {
      expect(got.headers[name], name).toBe(headers[name]);
    }
    if (auth.apiKey) expect(got.headers['x-api-key']).toBe(auth.apiKey);
    if (auth.bearer) expect(got.headers.authorization).toBe(`Bearer ${auth.bearer}`);
    expect(res.headers['request-id']).toBe('req_011FakeUpstream');
    expect(res.headers['anthropic-ratelimit-requests-remaining']).toBe('99');
    expect(res.headers['x-claude-proxy-route']).toBe('remote');
  });

  it('a tool round passes unchanged', async () => {
    const body = Buffer.from(JSON.stringify(toolResultRequest('List the files.')));
    const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body });
    await res.body.text();
    expect(gateway.upstream.received[0]!.body.equals(body)).toBe(true);
  });

  it('the configured key is added only when the client sends no credentials', async () => {
    const keyed = await startProxy({ remote: { url: gateway.upstream.url }, local: { enabled: false } }, { secrets: { remoteApiKey: 'sk-ant-configured' } });
    try {
      const headers = claudeCodeHeaders({});
      await (await request(`${keyed.url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify(mainRequest('a')) })).body.text();
      expect(gateway.upstream.received.at(-1)!.headers['x-api-key']).toBe('sk-ant-configured');
      await (await request(`${keyed.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders({ bearer: 'oauth-token' }), body: JSON.stringify(mainRequest('a')) })).body.text();
      expect(gateway.upstream.received.at(-1)!.headers['x-api-key']).toBeUndefined();
      expect(gateway.upstream.received.at(-1)!.headers.authorization).toBe('Bearer oauth-token');
    } finally {
      await keyed.close();
    }
  });
});

describe('upstream errors are relayed unchanged', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [529, 'overloaded_error'],
  ])('%i %s', async (status, type) => {
    const errorBody = JSON.stringify({ type: 'error', error: { type, message: `upstream says ${type}` }, request_id: 'req_011Upstream' });
    gateway.upstream.setHandler((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '7', 'request-id': 'req_011Upstream', 'x-should-retry': 'true' });
      res.end(errorBody);
    });
    const res = await rawStream(gateway.proxy.url, mainRequest('hi'));
    expect(res.status).toBe(status);
    expect(res.text).toBe(errorBody);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['request-id']).toBe('req_011Upstream');
    expect(res.headers['x-should-retry']).toBe('true');
  });
});

describe('telemetry of remote requests', () => {
  it('records real usage from the stream, the route and success', async () => {
    gateway.upstream.setHandler(anthropicLike(() => streams.toolUse()));
    const before = gateway.proxy.events.length;
    await rawStream(gateway.proxy.url, mainRequest('List the files.'));
    const event = await eventually(() => gateway.proxy.events[before]);
    expect(event.event_type).toBe('api_query_routed');
    expect(event.source).toBe('claude_api_proxy');
    expect(event.metadata).toMatchObject({
      routing_decision: 'remote',
      model: 'claude-opus-5-5',
      success: true,
      tokens_saved: 0,
      input_tokens: 120,
      output_tokens: 33,
      stop_reason: 'tool_use',
      status: 200,
      stream: true,
    });
    expect(event.metadata.ttfb_ms).not.toBeNull();
  });
});
