import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeUpstream, anthropicLike, sse, streams } from '../helpers/fake-anthropic.js';
import { eventually, startProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { JsonlTelemetryWriter } from '../../src/telemetry/writer.js';
import { useGateway } from '../helpers/gateway.js';

const gateway = useGateway({ settings: { local: { enabled: false }, listen: { bodyLimitBytes: 64 * 1024 } } });

async function post(body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/v1/messages') {
  const res = await request(`${gateway.proxy.url}${path}`, { method: 'POST', headers, body });
  return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as { type: string; error: { type: string; message: string }; request_id: string } };
}

describe('bad input gets the Anthropic envelope and the server keeps serving', () => {
  it.each([
    ['invalid JSON', '{"model": ', 400, 'invalid_request_error', 'not valid JSON'],
    ['a JSON array', '[1,2]', 400, 'invalid_request_error', 'must be a JSON object'],
    ['an empty body', '', 400, 'invalid_request_error', ''],
    ['a string', '"hello"', 400, 'invalid_request_error', 'must be a JSON object'],
    ['messages of the wrong type', '{"model":"claude-x","messages":"hi","max_tokens":5}', 400, 'invalid_request_error', 'messages: expected an array'],
    ['a body over the limit', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] }), 413, 'request_too_large', 'larger than the limit'],
  ])('%s', async (_name, body, status, type, message) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.json.type).toBe('error');
    expect(res.json.error.type).toBe(type);
    expect(res.json.error.message).toContain(message);
    expect(res.json.request_id).toMatch(/^req_/);
    expect(res.headers['request-id']).toBe(res.json.request_id);
  });

  it('invalid UTF-8', async () => {
    const body = Buffer.concat([Buffer.from('{"model":"claude-x","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]);
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('UTF-8');
  });

  it('a wrong content type', async () => {
    const res = await post('{"model":"claude-x","messages":[]}', { 'content-type': 'text/plain' });
    expect(res.status).toBe(400);
    expect(res.json.error.type).toBe('invalid_request_error');
  });

  it('an unknown route outside /v1', async () => {
    const res = await request(`${gateway.proxy.url}/nothing/here`);
    expect(res.statusCode).toBe(404);
    expect(((await res.body.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
  });

  it('and then still serves', async () => {
    const res = await post(JSON.stringify(mainRequest('still there?', { stream: false })), claudeCodeHeaders());
    expect(res.status).toBe(200);
  });
});

describe('an unreachable upstream fails fast with a message naming it', () => {
  it('502 api_error with x-should-retry: false', async () => {
    const dead = new FakeUpstream(anthropicLike());
    await dead.start();
    const url = dead.url;
    await dead.stop();
    const p = await startProxy({ remote: { url }, local: { enabled: false } });
    try {
      const res = await request(`${p.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')) });
      const body = (await res.body.json()) as { error: { type: string; message: string } };
      expect(res.statusCode).toBe(502);
      expect(res.headers['x-should-retry']).toBe('false');
      expect(body.error.type).toBe('api_error');
      expect(body.error.message).toContain(url);
    } finally {
      await p.close();
    }
  });

  it('504 when the upstream does not answer in time', async () => {
    const slow = await new FakeUpstream(() => undefined).start();
    const p = await startProxy({ remote: { url: slow.url, headersTimeoutMs: 200 }, local: { enabled: false } });
    try {
      const res = await request(`${p.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')) });
      const body = (await res.body.json()) as { error: { message: string } };
      expect(res.statusCode).toBe(504);
      expect(body.error.message).toContain('timed out');
    } finally {
      await p.close();
      await slow.stop();
    }
  });
});

describe('streaming', () => {
  it('events pass through one by one, before the upstream finishes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const events = streams.text('one two three');
    gateway.upstream.setHandler(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(events.slice(0, 2)));
      await gate;
      res.end(sse(events.slice(2)));
    });
    const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')) });
    const reader = res.body[Symbol.asyncIterator]();
    const first = await reader.next();
    expect(String(first.value)).toContain('event: message_start');
    release();
    let rest = '';
    for (let next = await reader.next(); !next.done; next = await reader.next()) rest += String(next.value);
    expect(String(first.value) + rest).toBe(sse(events));
    gateway.upstream.setHandler(anthropicLike());
  });

  it('a client abort mid-stream reaches the upstream within 100 ms', async () => {
    gateway.upstream.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(streams.text().slice(0, 2)));
    });
    const before = gateway.upstream.received.length;
    const controller = new AbortController();
    const res = await request(`${gateway.proxy.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')), signal: controller.signal });
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next();
    const received = gateway.upstream.received[before]!;
    const abortedAt = performance.now();
    controller.abort();
    const closedAt = await received.closed;
    expect(closedAt - abortedAt).toBeLessThan(100);
    gateway.upstream.setHandler(anthropicLike());
  });

  it('an upstream that dies mid-stream ends the client stream promptly', async () => {
    gateway.upstream.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(streams.text().slice(0, 3)));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const res = await request(`${gateway.proxy.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')) });
    await expect(res.body.text()).rejects.toThrow();
    const event = await eventually(() => gateway.proxy.events.find((e) => e.metadata.status === 200 && !e.metadata.success));
    expect(event.metadata.routing_decision).toBe('remote');
    gateway.upstream.setHandler(anthropicLike());
  });
});

describe('telemetry files', () => {
  it('are private: 0700 directory, 0600 files, the seed line format', async () => {
    const p = await startProxy({ remote: { url: gateway.upstream.url }, local: { enabled: false } });
    try {
      await (await request(`${p.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi', { stream: false })) })).body.text();
      await p.ctx.telemetry.flush();
      const dir = p.config.telemetry.dir;
      const [file] = await readdir(dir);
      expect(file).toMatch(/^events-\d{4}-\d{2}-\d{2}\.jsonl$/);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(dir, file!))).mode & 0o777).toBe(0o600);
      const line = (await readFile(join(dir, file!), 'utf8')).trim();
      expect(line).toMatch(/^\{"timestamp": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", "event_type": "api_query_routed", "source": "claude_api_proxy", "metadata": \{"routing_decision": "remote", "estimated_tokens": \d+, "tokens_saved": 0, "model": "claude-opus-5-5", "success": true, /);
    } finally {
      await p.close();
    }
  });

  // A directory without write permission (EACCES) is tested on the built CLI in test/fault/cli.test.ts.
  it('a path that cannot be a directory (ENOTDIR): requests still succeed, one warning', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const writer = new JsonlTelemetryWriter('/dev/null/telemetry', logger, { retryMs: 0 });
    const q = await startProxy({ remote: { url: gateway.upstream.url }, local: { enabled: false } }, { ctx: { telemetry: writer } });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await request(`${q.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi', { stream: false })) });
        await res.body.text();
        expect(res.statusCode).toBe(200);
      }
      await writer.flush();
      expect(writer.counters.failed).toBe(3);
      expect(lines.filter((l) => l.includes('telemetry cannot be written'))).toHaveLength(1);
    } finally {
      await q.close();
    }
  });
});
