import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeNative } from '../helpers/fake-native.js';
import { FakeOpenAi } from '../helpers/fake-openai.js';
import { FakeAidb } from '../helpers/fake-aidb.js';
import { useGateway } from '../helpers/gateway.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';

const CLIENT_KEY = 'sk-ant-client-ISOLATED-1f2e';
const OAUTH = 'sk-ant-oat01-ISOLATED-9c8d';
const TOKEN = 'cap-inbound-ISOLATED-77aa';
const REMOTE_KEY = 'sk-ant-remote-ISOLATED-3b4c';
const SECRETS = [CLIENT_KEY, OAUTH, TOKEN, REMOTE_KEY];
const ALIAS = 'claude-local-isolated';

let aidb: FakeAidb;

beforeAll(async () => {
  aidb = await new FakeAidb().start();
});
afterAll(async () => {
  await aidb.stop();
});

/** Everything a fake received, headers and body, as one string to search. */
const seen = (received: readonly { headers: object; body: Buffer; url: string }[]) => received.map((r) => `${r.url} ${JSON.stringify(r.headers)} ${r.body.toString('latin1')}`).join('\n');

describe.each([
  ['anthropic', () => new FakeNative()],
  ['openai', () => new FakeOpenAi()],
] as const)('the local backend (%s) and AIDB never see a credential', (kind, make) => {
  let local: FakeNative | FakeOpenAi;
  beforeAll(async () => {
    local = await make().start();
  });
  afterAll(async () => {
    await local.stop();
  });
  const gateway = useGateway(() => ({
    settings: {
      local: { kind, url: local.url, model: local.model, contextWindow: 65_536, aliases: [ALIAS] },
      rag: { enabled: true, url: aidb.url, limit: 2, timeoutMs: 500 },
    },
    secrets: { inboundToken: TOKEN, remoteApiKey: REMOTE_KEY },
  }));

  it.each<[string, Record<string, string>]>([
    ['own key with the dedicated token', { ...claudeCodeHeaders({ apiKey: CLIENT_KEY }), 'x-claude-proxy-token': TOKEN }],
    ['OAuth bearer with the dedicated token', { ...claudeCodeHeaders({ bearer: OAUTH }), 'x-claude-proxy-token': TOKEN }],
    ['the token as the API key', claudeCodeHeaders({ apiKey: TOKEN })],
  ])('%s', async (_name, headers) => {
    for (const stream of [true, false]) {
      const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, { method: 'POST', headers, body: JSON.stringify(mainRequest('How are flake inputs pinned?', { model: ALIAS, stream })) });
      await res.body.text();
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-claude-proxy-route']).toBe('local');
    }
    expect(local.received.length).toBeGreaterThan(0);
    expect(aidb.searches.length).toBeGreaterThan(0);
    const traffic = `${seen(local.received)}\n${seen(aidb.upstream.received)}`;
    for (const secret of SECRETS) expect(traffic).not.toContain(secret);
  });
});
