import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { drainedOrClosed, FakeUpstream, sse, type Handler } from '../helpers/fake-anthropic.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/proxy.js';
import { claudeCodeHeaders } from '../fixtures/claude-code.js';

const ALIAS = 'claude-local-test';
const MiB = 1024 * 1024;
const agent = new Agent({ connections: 16 });

/** What the endless backend streams after message_start: text or a tool call that never ends. */
let endless: 'text' | 'tool' = 'text';

/** A native backend whose answer never ends: well-formed deltas of 4 KiB, forever, until the proxy hangs up. */
const endlessBackend: Handler = async (req, res) => {
  if (req.url !== '/v1/messages') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"local","type":"model"}]}');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(sse([{ type: 'message_start', message: { id: 'msg_01Endless', type: 'message', role: 'assistant', model: 'local', content: [], stop_reason: null, usage: { input_tokens: 9, output_tokens: 1 } } }]));
  const block = endless === 'text' ? { type: 'text', text: '' } : { type: 'tool_use', id: 'toolu_01Endless', name: 'Bash', input: {} };
  res.write(sse([{ type: 'content_block_start', index: 0, content_block: block }]));
  if (endless === 'tool') res.write(sse([{ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"command": "' } }]));
  const piece = 'y'.repeat(4096);
  const delta = sse([{ type: 'content_block_delta', index: 0, delta: endless === 'text' ? { type: 'text_delta', text: piece } : { type: 'input_json_delta', partial_json: piece } }]);
  while (!res.destroyed) if (!res.write(delta)) await drainedOrClosed(res);
};

let local: FakeUpstream;

beforeAll(async () => {
  local = await new FakeUpstream(endlessBackend).start();
});
afterAll(async () => {
  await local.stop();
  await agent.close();
});
const gateway = useGateway(() => ({
  settings: {
    local: { kind: 'anthropic', url: local.url, model: 'local', aliases: [ALIAS], maxOutputTokens: 512, breakerFailures: 1000, contextWindow: 16_384 },
    rag: { enabled: false },
  },
  secrets: { remoteApiKey: 'sk-ant-configured' },
}));

async function ask(stream: boolean): Promise<{ status: number; reason: string | undefined; route: string | undefined; text: string }> {
  const res = await request(`${gateway.proxy.url}/v1/messages`, {
    method: 'POST',
    headers: claudeCodeHeaders(),
    body: JSON.stringify({ model: ALIAS, max_tokens: 512, stream, messages: [{ role: 'user', content: 'Write forever.' }] }),
    dispatcher: agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, reason: res.headers['x-claude-proxy-reason'] as string | undefined, route: res.headers['x-claude-proxy-route'] as string | undefined, text };
}

describe('local answers that never end', () => {
  it('eight at once, not streamed: each fails as a local failure and falls back; the heap stays bounded', async () => {
    endless = 'text';
    const baseline = process.memoryUsage().heapUsed;
    const results = await Promise.all(Array.from({ length: 8 }, () => ask(false)));
    const growth = process.memoryUsage().heapUsed - baseline;
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.route).toBe('remote');
      expect(result.reason).toBe('fallback:too_long');
    }
    // Eight collected answers of the cap (512 tokens) are a few hundred KiB, not gigabytes.
    expect(growth).toBeLessThan(64 * MiB);
    const health = await request(`${gateway.proxy.url}/health`, { dispatcher: agent });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  });

  it('a streamed tool call that never ends is held only up to the cap, then falls back', async () => {
    endless = 'tool';
    const result = await ask(true);
    expect(result.status).toBe(200);
    expect(result.reason).toBe('fallback:too_long');
    expect(result.text).toContain('event: message_stop');
  });

  it('streamed text that never ends: one SSE error at the cap, then the stream closes', async () => {
    endless = 'text';
    const before = gateway.proxy.events.length;
    const result = await ask(true);
    expect(result.route).toBe('local');
    const names = [...result.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names.at(-1)).toBe('error');
    expect(names).not.toContain('message_stop');
    const event = await eventually(() => gateway.proxy.events[before]);
    expect(event.metadata).toMatchObject({ routing_decision: 'local', success: false });
  });
});
