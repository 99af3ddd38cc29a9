import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeUpstream, anthropicLike, sse, streams, textMessage } from '../helpers/fake-anthropic.js';
import { FakeNative, type NativeFault } from '../helpers/fake-native.js';
import { FakeOpenAi, type OpenAiFault } from '../helpers/fake-openai.js';
import { eventually, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders } from '../fixtures/claude-code.js';
import type { TelemetryEvent } from '../../src/telemetry/event.js';

const ALIAS = 'claude-local-test';
const TIMEOUTS = { firstByteTimeoutMs: 300, idleTimeoutMs: 300 };
let remote: FakeUpstream;

beforeAll(async () => {
  remote = await new FakeUpstream(anthropicLike()).start();
});
afterAll(async () => {
  await remote.stop();
});
afterEach(() => {
  remote.received.length = 0;
});

const body = (stream: boolean, content = 'Please run `ls` for me.') =>
  JSON.stringify({
    model: ALIAS,
    max_tokens: 300,
    stream,
    tools: [{ name: 'Bash', description: 'Runs a command.', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
    messages: [{ role: 'user', content }],
  });

/** Sends one request; `onText` is called once the client has seen answer text (to release a late fault). */
async function call(proxy: RunningProxy, payload: string, auth: { apiKey?: string } = { apiKey: 'sk-ant-client' }, onText?: () => void) {
  const before = proxy.events.length;
  const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(auth), body: payload });
  let text = '';
  for await (const chunk of res.body) {
    text += String(chunk);
    if (onText && text.includes('text_delta')) {
      onText();
      onText = undefined;
    }
  }
  const event: TelemetryEvent = await eventually(() => proxy.events[before]);
  return { status: res.statusCode, headers: res.headers, text, event };
}

/** Every event of an SSE body, by name. */
const eventNames = (text: string) => [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);

function expectFallback(result: Awaited<ReturnType<typeof call>>, reason: string, sent: string): void {
  expect(result.status).toBe(200);
  expect(result.headers['x-claude-proxy-route']).toBe('remote');
  expect(result.headers['x-claude-proxy-reason']).toBe(`fallback:${reason}`);
  expect(remote.received).toHaveLength(1);
  // The remote route gets the client's own bytes and credentials.
  expect(remote.received[0]!.body.toString('utf8')).toBe(sent);
  expect(remote.received[0]!.headers['x-api-key']).toBe('sk-ant-client');
  expect(result.event.metadata).toMatchObject({ routing_decision: 'remote', decided_route: 'local', fallback: { from: 'local', reason }, success: true });
}

function expectOneSseError(result: Awaited<ReturnType<typeof call>>, backend: string): void {
  expect(result.status).toBe(200);
  expect(result.headers['x-claude-proxy-route']).toBe('local');
  const names = eventNames(result.text);
  expect(names[0]).toBe('message_start');
  expect(names.filter((n) => n === 'error')).toHaveLength(1);
  expect(names.at(-1)).toBe('error');
  expect(names).not.toContain('message_stop');
  expect(result.text).toContain('"type":"overloaded_error"');
  expect(remote.received).toHaveLength(0);
  expect(result.event.metadata).toMatchObject({ routing_decision: 'local', backend, fallback: null, success: false, error_type: 'overloaded_error' });
}

describe('native backend faults', () => {
  let native: FakeNative;
  let proxy: RunningProxy;
  beforeAll(async () => {
    native = await new FakeNative().start();
    proxy = await startProxy({
      remote: { url: remote.url },
      local: { kind: 'anthropic', url: native.url, model: native.model, contextWindow: 16_384, aliases: [ALIAS], breakerFailures: 1000, ...TIMEOUTS },
      rag: { enabled: false },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await native.stop();
  });
  afterEach(() => native.reset());

  describe.each([true, false])('before the first byte (stream: %s), the request falls back to the remote route', (stream) => {
    it.each<[NativeFault, string]>([
      ['hang', 'timeout'],
      ['http500', 'http_error'],
      ['malformed-sse', 'malformed'],
      ['cut-early', 'interrupted'],
      ['cut-at-block-start', 'interrupted'],
      ['invalid-tool-json', 'invalid_tool_json'],
      ['error-event', 'http_error'],
    ])('%s → fallback (%s)', async (fault, reason) => {
      native.fault = fault;
      const payload = body(stream);
      const result = await call(proxy, payload);
      expectFallback(result, reason, payload);
      expect(result.text).toBe(stream ? sse(streams.text()) : JSON.stringify(textMessage('Hello from the fake upstream.')));
    });
  });

  describe('after the first byte', () => {
    it.each<[NativeFault, string]>([
      ['cut-late', 'interrupted'],
      ['malformed-sse-late', 'malformed'],
      ['stall-late', 'timeout'],
    ])('%s → one SSE error event, then close', async (fault) => {
      native.fault = fault;
      native.brain = () => ({ blocks: [{ type: 'text', text: 'A long answer that is cut off.' }] });
      const release = native.holdLateFault();
      expectOneSseError(await call(proxy, body(true), undefined, release), 'local:anthropic');
    });

    it.each<[NativeFault, string]>([
      ['cut-late', 'interrupted'],
      ['malformed-sse-late', 'malformed'],
      ['stall-late', 'timeout'],
    ])('%s on a non-streaming request still falls back (nothing was sent yet)', async (fault, reason) => {
      native.fault = fault;
      native.brain = () => ({ blocks: [{ type: 'text', text: 'A long answer that is cut off.' }] });
      const payload = body(false);
      expectFallback(await call(proxy, payload), reason, payload);
    });
  });

  it('a client that goes away mid-answer closes the backend request at once', async () => {
    native.fault = 'stall-late';
    native.brain = () => ({ blocks: [{ type: 'text', text: 'An answer nobody waits for.' }] });
    const before = proxy.events.length;
    const abort = new AbortController();
    const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: body(true), signal: abort.signal });
    let text = '';
    for await (const chunk of res.body) {
      text += String(chunk);
      if (text.includes('text_delta')) break;
    }
    abort.abort();
    const call = native.calls[0]!;
    await call.closed;
    const event = await eventually(() => proxy.events[before]);
    expect(event.metadata).toMatchObject({ routing_decision: 'local', success: false });
  });

  it('without any credentials the client gets 529 overloaded_error naming the local backend', async () => {
    native.fault = 'http500';
    const result = await call(proxy, body(true), {});
    expect(result.status).toBe(529);
    const error = JSON.parse(result.text) as { type: string; error: { type: string; message: string }; request_id: string };
    expect(error.type).toBe('error');
    expect(error.error.type).toBe('overloaded_error');
    expect(error.error.message).toContain('local:anthropic');
    expect(error.error.message).toContain(native.url);
    expect(error.request_id).toMatch(/^req_/);
    expect(remote.received).toHaveLength(0);
    expect(result.event.metadata).toMatchObject({ fallback: { from: 'local', reason: 'http_error' }, success: false, status: 529 });
  });
});

describe('a refused connection', () => {
  it('falls back with reason refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const proxy = await startProxy({ remote: { url: remote.url }, local: { kind: 'anthropic', url: `http://127.0.0.1:${port}`, aliases: [ALIAS] }, rag: { enabled: false } });
    try {
      const payload = body(true);
      expectFallback(await call(proxy, payload), 'refused', payload);
    } finally {
      await proxy.close();
    }
  });
});

describe('OpenAI-compatible backend faults', () => {
  let openai: FakeOpenAi;
  let proxy: RunningProxy;
  beforeAll(async () => {
    openai = await new FakeOpenAi().start();
    proxy = await startProxy({
      remote: { url: remote.url },
      local: { kind: 'openai', url: openai.url, model: openai.model, contextWindow: 16_384, aliases: [ALIAS], breakerFailures: 1000, ...TIMEOUTS },
      rag: { enabled: false },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await openai.stop();
  });
  afterEach(() => openai.reset());

  it.each<[OpenAiFault, string]>([
    ['invalid-tool-json', 'invalid_tool_json'],
    ['malformed', 'malformed'],
    ['error-chunk', 'http_error'],
    ['http500', 'http_error'],
    ['hang', 'timeout'],
  ])('%s before the first byte → fallback (%s)', async (fault, reason) => {
    openai.fault = fault;
    openai.brain = () => ({ blocks: [{ type: 'tool_use', name: 'Bash', input: { command: 'ls' } }] });
    const payload = body(true);
    expectFallback(await call(proxy, payload), reason, payload);
  });

  it('a stream cut after text has gone out ends in one SSE error event', async () => {
    openai.fault = 'cut';
    const release = openai.holdCut();
    expectOneSseError(await call(proxy, body(true, 'Tell me something.'), undefined, release), 'local:openai');
  });

  it('a tool call with invalid JSON after text has gone out is never emitted', async () => {
    openai.fault = 'invalid-tool-json';
    const result = await call(proxy, body(true));
    expectOneSseError(result, 'local:openai');
    expect(result.text).not.toContain('tool_use');
  });
});

describe('the breaker', () => {
  it('opens after local.breakerFailures failures, skips the backend, and closes after a successful trial', async () => {
    const native = await new FakeNative().start();
    let clock = Date.parse('2026-03-01T12:00:00Z');
    const proxy = await startProxy(
      {
        remote: { url: remote.url },
        local: { kind: 'anthropic', url: native.url, model: native.model, aliases: [ALIAS], breakerFailures: 2, breakerCooldownMs: 60_000 },
        rag: { enabled: false },
      },
      { ctx: { now: () => new Date(clock) } },
    );
    try {
      native.fault = 'http500';
      for (let i = 0; i < 2; i++) expect((await call(proxy, body(true))).event.metadata.fallback).toEqual({ from: 'local', reason: 'http_error' });
      expect(proxy.ctx.local.healthy()).toBe(false);
      expect((await call(proxy, body(true))).event.metadata.fallback).toEqual({ from: 'local', reason: 'unhealthy' });
      expect(native.accepted).toHaveLength(2);

      native.fault = null;
      clock += 60_000;
      expect(proxy.ctx.local.healthy()).toBe(true);
      const trial = await call(proxy, body(true, 'What is NixOS?'));
      expect(trial.event.metadata).toMatchObject({ routing_decision: 'local', fallback: null, success: true });
      expect(native.accepted).toHaveLength(3);
      expect(proxy.ctx.local.healthy()).toBe(true);
    } finally {
      await proxy.close();
      await native.stop();
    }
  });
});
