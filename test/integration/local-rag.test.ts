import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeNative } from '../helpers/fake-native.js';
import { FakeAidb } from '../helpers/fake-aidb.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest, toolResultRequest } from '../fixtures/claude-code.js';
import type { MessagesRequest, TextBlock } from '../../src/anthropic/types.js';

const ALIAS = 'claude-local-test';
const MARKER = 'AIDB-CONTEXT-MARKER';
let native: FakeNative;
let aidb: FakeAidb;

beforeAll(async () => {
  [native, aidb] = await Promise.all([new FakeNative().start(), new FakeAidb().start()]);
});
afterAll(async () => {
  await Promise.all([native.stop(), aidb.stop()]);
});
const gateway = useGateway(() => ({
  settings: {
    local: { kind: 'anthropic', url: native.url, model: native.model, contextWindow: 65_536, aliases: [ALIAS] },
    rag: { enabled: true, url: aidb.url, limit: 2, timeoutMs: 300, maxChars: 2000 },
  },
}));
afterEach(() => {
  native.reset();
  aidb.reset();
  gateway.upstream.received.length = 0;
});

async function send(body: MessagesRequest, headers: Record<string, string> = {}): Promise<{ status: number; route: unknown }> {
  const before = gateway.proxy.events.length;
  const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: { ...claudeCodeHeaders(), ...headers }, body: JSON.stringify(body) });
  await res.body.text();
  await eventually(() => gateway.proxy.events[before]);
  return { status: res.statusCode, route: res.headers['x-claude-proxy-route'] };
}

describe('retrieved context', () => {
  it('is searched with the text the user wrote and added as one system block after the cacheable prefix', async () => {
    const body = mainRequest('How are flake inputs pinned?', { model: ALIAS });
    expect(await send(body)).toEqual({ status: 200, route: 'local' });
    expect(aidb.searches).toEqual([{ query: 'How are flake inputs pinned?', limit: 2 }]);
    const system = native.accepted[0]!.system as TextBlock[];
    const withContext = system.filter((b) => b.text.includes(MARKER));
    expect(withContext).toHaveLength(1);
    expect(system.at(-1)).toBe(withContext[0]);
    expect(withContext[0]!.cache_control).toBeUndefined();
    expect(withContext[0]!.text).toContain('Flake inputs — docs/flakes.md');
    expect(withContext[0]!.text).toContain('The coordinator listens on port 8092.');
    // The blocks before it are the client's stable, cache-marked prefix, unchanged.
    expect(system.slice(0, 2)).toEqual((body.system as TextBlock[]).slice(1));
  });

  it('never reaches the remote route, neither routed there nor on fallback', async () => {
    expect(await send(mainRequest('How are flake inputs pinned?', { model: 'claude-sonnet-5-5' }), { 'x-claude-proxy-route': 'remote' })).toEqual({ status: 200, route: 'remote' });
    expect(gateway.upstream.received).toHaveLength(1);
    expect(aidb.searches).toHaveLength(0);

    native.fault = 'http500';
    const body = mainRequest('How are flake inputs pinned?', { model: ALIAS });
    expect(await send(body)).toEqual({ status: 200, route: 'remote' });
    expect(aidb.searches).toHaveLength(1);
    expect(native.calls[0]!.body.toString('utf8')).toContain(MARKER);
    expect(gateway.upstream.received).toHaveLength(2);
    expect(gateway.upstream.received[1]!.body.toString('utf8')).toBe(JSON.stringify(body));
  });

  it('is not searched for a turn that only carries tool results', async () => {
    expect(await send({ ...toolResultRequest('List the files.'), model: ALIAS })).toEqual({ status: 200, route: 'local' });
    expect(aidb.searches).toHaveLength(0);
    expect(native.calls[0]!.body.toString('utf8')).not.toContain(MARKER);
  });

  it.each([
    ['slower than rag.timeoutMs', 'slow'],
    ['failing', 'error'],
  ] as const)('never fails the request when AIDB is %s', async (_name, mode) => {
    aidb.mode = mode;
    expect(await send(mainRequest('How are flake inputs pinned?', { model: ALIAS }))).toEqual({ status: 200, route: 'local' });
    expect(aidb.searches).toHaveLength(1);
    expect(native.accepted).toHaveLength(1);
    expect(native.calls[0]!.body.toString('utf8')).not.toContain(MARKER);
  });
});
