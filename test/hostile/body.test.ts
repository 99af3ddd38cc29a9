import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { FakeOpenAi } from '../helpers/fake-openai.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest, titleRequest } from '../fixtures/claude-code.js';
import { expectEnvelope, expectNoStack } from './wire.js';
import { allPaths, setAt } from './json-paths.js';
import { useGateway } from '../helpers/gateway.js';

const gateway = useGateway({ settings: { local: { enabled: false } } });
const agent = new Agent({ connections: 8 });

afterAll(async () => {
  await agent.close();
});
afterEach(async () => {
  const res = await request(`${gateway.proxy.url}/health`, { dispatcher: agent });
  expect(res.statusCode).toBe(200);
  await res.body.dump();
  gateway.upstream.received.length = 0;
});

async function post(body: string | Buffer, path = '/v1/messages?beta=true', target = gateway.proxy.url) {
  const res = await request(`${target}${path}`, { method: 'POST', headers: claudeCodeHeaders(), body, dispatcher: agent });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

/** The answer is either the upstream's (the request was forwarded) or a 4xx envelope made by the gateway.proxy. */
function expectForwardedOrRefused(res: { status: number; text: string }): void {
  if (res.status === 200) return expectNoStack(res.text);
  expectEnvelope(res.status, res.text, (s) => s >= 400 && s < 500);
}

const nest = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

describe('bodies that are not a Messages request', () => {
  it.each([
    ['truncated JSON', '{"model":"claude-x","messages":['],
    ['trailing garbage', '{"model":"claude-x","messages":[]}x'],
    ['NaN', '{"model":"claude-x","messages":[],"max_tokens":NaN}'],
    ['single quotes', "{'model':'claude-x'}"],
    ['a byte order mark', '\ufeff{"model":"claude-x","messages":[]}'],
    ['null', 'null'],
    ['a number', '42'],
    ['an array', '[{"model":"claude-x"}]'],
    ['an array nested a million deep', nest(1_000_000, '[', ']')],
    ['an object nested a million deep', nest(1_000_000, '{"a":', '}')],
  ])('%s: 400 in the envelope, nothing forwarded', async (_name, body) => {
    const res = await post(body);
    const error = expectEnvelope(res.status, res.text, 400);
    expect(error.type).toBe('invalid_request_error');
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('invalid UTF-8 in a string: 400 in the envelope', async () => {
    const body = Buffer.concat([Buffer.from('{"model":"claude-x","messages":[{"role":"user","content":"'), Buffer.from([0xed, 0xa0, 0x80, 0xff]), Buffer.from('"}]}')]);
    const res = await post(body);
    expect(expectEnvelope(res.status, res.text, 400).message).toMatch(/UTF-8/);
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('the same refusals on count_tokens', async () => {
    for (const body of ['{', '[]', nest(100_000, '[', ']'), '{"model":1,"messages":[]}']) {
      const res = await post(body, '/v1/messages/count_tokens?beta=true');
      expectEnvelope(res.status, res.text, 400);
    }
    expect(gateway.upstream.received).toHaveLength(0);
  });
});

describe('deep nesting inside a valid request', () => {
  const request = (patch: (r: Record<string, unknown>) => void): string => {
    const body = titleRequest('hello') as unknown as Record<string, unknown>;
    patch(body);
    return JSON.stringify(body);
  };
  const DEEP = 100_000;
  const deepValue = () => JSON.parse(nest(DEEP, '{"a":', '}')) as unknown;

  it('tool results nested in tool results are refused, not a crash', async () => {
    let content = '[{"type":"text","text":"x"}]';
    for (let i = 0; i < DEEP; i++) content = `[{"type":"tool_result","tool_use_id":"t","content":${content}}]`;
    const body = `{"model":"claude-x","max_tokens":5,"messages":[{"role":"user","content":${content}}]}`;
    const res = await post(body);
    expectEnvelope(res.status, res.text, 400);
  });

  // Built as text: JSON.stringify itself cannot write values this deep.
  it.each([
    ['metadata', (inner: string) => `"metadata":${inner}`],
    ['a tool schema', (inner: string) => `"tools":[{"name":"Deep","input_schema":${inner}}]`],
    ['output_config', (inner: string) => `"output_config":{"format":${inner}}`],
  ])('%s nested %#: forwarded or refused, never a server error', async (_name, field) => {
    const body = `{"model":"claude-x","max_tokens":5,"messages":[{"role":"user","content":"hi"}],${field(nest(DEEP, '{"a":', '}'))}}`;
    expectForwardedOrRefused(await post(body));
  });

  it.each([
    ['a tool_use input', { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: 'DEEP' }],
    ['an unknown block', { type: 'future_block', payload: 'DEEP' }],
  ])('%s nested deep: forwarded or refused, never a server error', async (_name, block) => {
    const body = request((r) => {
      r.messages = [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [block] }, { role: 'user', content: 'go on' }];
    }).replace('"DEEP"', nest(DEEP, '[', ']'));
    expect(deepValue).not.toThrow();
    expectForwardedOrRefused(await post(body));
  });
});

describe('huge values', () => {
  it('a 24 MB prompt is forwarded whole', async () => {
    const body = JSON.stringify(mainRequest('x'.repeat(24 * 1024 * 1024)));
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(gateway.upstream.received[0]!.body.length).toBe(Buffer.byteLength(body));
  });

  it('a 1 MB model name and a 100 000-element message list are forwarded', async () => {
    const messages = Array.from({ length: 100_000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'k' }));
    for (const body of [JSON.stringify({ ...titleRequest('a'), model: `claude-${'m'.repeat(1 << 20)}` }), JSON.stringify({ ...titleRequest('a'), messages })]) {
      expectForwardedOrRefused(await post(body));
    }
  });

  it('a body over the limit: 413 in the envelope', async () => {
    const small = await startProxy({ remote: { url: gateway.upstream.url }, local: { enabled: false }, listen: { bodyLimitBytes: 64 * 1024 } });
    try {
      const res = await post(JSON.stringify(mainRequest('x'.repeat(100_000))), '/v1/messages', small.url);
      expect(expectEnvelope(res.status, res.text, 413).type).toBe('request_too_large');
    } finally {
      await small.close();
    }
    expect(gateway.upstream.received).toHaveLength(0);
  });
});

describe('wrong types for every field the proxy reads', () => {
  const base = () => structuredClone(mainRequest('Explain the build.')) as unknown as Record<string, unknown>;
  const cases: [string, (r: Record<string, unknown>) => void][] = [
    ['model', (r) => (r.model = 42)],
    ['model', (r) => (r.model = '')],
    ['model', (r) => delete r.model],
    ['messages', (r) => (r.messages = 'hi')],
    ['messages', (r) => delete r.messages],
    ['messages.0', (r) => ((r.messages as unknown[])[0] = 'hi')],
    ['messages.0.role', (r) => ((r.messages as Record<string, unknown>[])[0]!.role = ['user'])],
    ['messages.0.content', (r) => ((r.messages as Record<string, unknown>[])[0]!.content = 7)],
    ['messages.0.content.0', (r) => ((r.messages as { content: unknown[] }[])[0]!.content[0] = { text: 'no type' })],
    ['messages.0.content.1.text', (r) => ((r.messages as { content: Record<string, unknown>[] }[])[0]!.content[1]!.text = { nested: true })],
    ['max_tokens', (r) => (r.max_tokens = '128000')],
    ['max_tokens', (r) => (r.max_tokens = 1.5)],
    ['max_tokens', (r) => (r.max_tokens = -1)],
    ['stream', (r) => (r.stream = 'true')],
    ['system', (r) => (r.system = 5)],
    ['system.0', (r) => ((r.system as unknown[])[0] = { type: 'text', text: 5 })],
    ['tools', (r) => (r.tools = {})],
    ['tools.0', (r) => ((r.tools as unknown[])[0] = { description: 'no name' })],
    ['thinking', (r) => (r.thinking = 'adaptive')],
    ['output_config', (r) => (r.output_config = ['medium'])],
    ['stop_sequences', (r) => (r.stop_sequences = [1, 2])],
    ['messages.2.content.1.id', (r) => (r.messages = [...(r.messages as unknown[]), { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'tool_use', id: 5, name: 'Bash', input: {} }] }])],
    ['messages.2.content.0.tool_use_id', (r) => (r.messages = [...(r.messages as unknown[]), { role: 'user', content: [{ type: 'tool_result', tool_use_id: null }] }])],
    ['messages.2.content.0.content', (r) => (r.messages = [...(r.messages as unknown[]), { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 5 }] }])],
    ['messages.2.content.0.thinking', (r) => (r.messages = [...(r.messages as unknown[]), { role: 'assistant', content: [{ type: 'thinking', thinking: 5, signature: 's' }] }])],
    ['messages.2.content.0.source', (r) => (r.messages = [...(r.messages as unknown[]), { role: 'user', content: [{ type: 'image', source: 'data:' }] }])],
  ];

  it.each(cases)('%s: 400 naming the field, nothing forwarded', async (field, patch) => {
    const body = base();
    patch(body);
    const res = await post(JSON.stringify(body));
    const error = expectEnvelope(res.status, res.text, 400);
    expect(error.message).toContain(field.split('.')[0]);
    expect(gateway.upstream.received).toHaveLength(0);
  });

  it('any value at any place of a Claude Code request: forwarded or refused, never a server error (property)', async () => {
    const template = titleRequest('Name this session.') as unknown as Record<string, unknown>;
    template.tools = [{ name: 'Bash', description: 'Runs.', input_schema: { type: 'object', properties: { c: { type: 'string' } } } }];
    template.thinking = { type: 'adaptive', display: 'omitted' };
    template.messages = [
      { role: 'user', content: [{ type: 'text', text: 'run it' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { c: 'ls' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a' }] }] },
    ];
    const paths = allPaths(template);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 3 }), async (path, value) => {
        const body = structuredClone(template);
        setAt(body, path, value);
        expectForwardedOrRefused(await post(JSON.stringify(body) ?? 'null'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile bodies on the local route (OpenAI adapter)', () => {
  let openai: FakeOpenAi;
  let local: RunningProxy;
  beforeAll(async () => {
    openai = await new FakeOpenAi().start();
    local = await startProxy({
      remote: { url: gateway.upstream.url },
      local: { kind: 'openai', url: openai.url, model: openai.model, contextWindow: 131_072, aliases: ['claude-local'] },
      rag: { enabled: false },
    });
  });
  afterAll(async () => {
    await local.close();
    await openai.stop();
  });

  it('any value at any place: served (locally or by fallback) or refused, never a server error; the client key never reaches the backend (property)', async () => {
    const template = { ...titleRequest('Name this session.'), model: 'claude-local' } as unknown as Record<string, unknown>;
    template.messages = [
      { role: 'user', content: [{ type: 'text', text: 'run it' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { c: 'ls' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a' }] }] },
    ];
    template.tools = [{ name: 'Bash', description: 'Runs.', input_schema: { type: 'object', properties: { c: { type: 'string' } } } }];
    const paths = allPaths(template);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.anything({ withObjectString: true, maxDepth: 3 }), fc.boolean(), async (path, value, stream) => {
        const body = structuredClone(template);
        body.stream = stream;
        setAt(body, path, value);
        expectForwardedOrRefused(await post(JSON.stringify(body), '/v1/messages?beta=true', local.url));
      }),
      { numRuns: 200 },
    );
    expect(openai.received.length).toBeGreaterThan(0);
    for (const r of openai.received) expect(JSON.stringify(r.headers)).not.toContain('sk-ant-test-key');
  });
});

describe('__proto__ and constructor keys', () => {
  it('are carried through untouched and pollute nothing', async () => {
    const text = JSON.stringify(mainRequest('hello'))
      .replace('"metadata":{', '"metadata":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},')
      .replace('"model":', '"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":3}},"model":')
      .replace('{"type":"text","text":"<system', '{"__proto__":{"type":"image"},"type":"text","text":"<system')
      .replace('"input_schema":{', '"input_schema":{"__proto__":{"polluted":4},');
    for (const path of ['/v1/messages?beta=true', '/v1/messages/count_tokens?beta=true']) {
      const res = await post(text, path);
      expect(res.status).toBe(200);
      expect(gateway.upstream.received.at(-1)!.body.toString()).toBe(text);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it.each([
    ['a role named __proto__', { role: '__proto__', content: 'hi' }],
    ['a block type named constructor', { role: 'user', content: [{ type: 'constructor', text: 'hi' }] }],
    ['a block type named __proto__', { role: 'user', content: [{ type: '__proto__' }] }],
  ])('%s: forwarded or refused, never a server error', async (_name, message) => {
    expectForwardedOrRefused(await post(JSON.stringify({ model: 'constructor', max_tokens: 5, messages: [message] })));
    expect(Object.prototype).not.toHaveProperty('type');
  });
});

