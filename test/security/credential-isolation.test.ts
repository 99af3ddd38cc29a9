import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeUpstream, anthropicLike } from '../helpers/fake-anthropic.js';
import { FakeNative } from '../helpers/fake-native.js';
import { FakeOpenAi } from '../helpers/fake-openai.js';
import { FakeAidb } from '../helpers/fake-aidb.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';

const CLIENT_KEY = 'sk-ant-client-ISOLATED-1f2e';
const OAUTH = 'sk-ant-oat01-ISOLATED-9c8d';
const TOKEN = 'cap-inbound-ISOLATED-77aa';
const REMOTE_KEY = 'sk-ant-remote-ISOLATED-3b4c';
const SECRETS = [CLIENT_KEY, OAUTH, TOKEN, REMOTE_KEY];
const ALIAS = 'claude-local-isolated';

let remote: FakeUpstream;
let aidb: FakeAidb;

beforeAll(async () => {
  [remote, aidb] = await Promise.all([new FakeUpstream(anthropicLike()).start(), new FakeAidb().start()]);
});
afterAll(async () => {
  await Promise.all([remote.stop(), aidb.stop()]);
});

/** Everything a fake received, headers and body, as one string to search. */
const seen = (received: readonly { headers: object; body: Buffer; url: string }[]) => received.map((r) => `${r.url} ${JSON.stringify(r.headers)} ${r.body.toString('latin1')}`).join('\n');

describe.each([
  ['anthropic', () => new FakeNative()],
  ['openai', () => new FakeOpenAi()],
] as const)('the local backend (%s) and AIDB never see a credential', (kind, make) => {
  let local: FakeNative | FakeOpenAi;
  let proxy: RunningProxy;
  beforeAll(async () => {
    local = await make().start();
    proxy = await startProxy(
      {
        remote: { url: remote.url },
        local: { kind, url: local.url, model: local.model, contextWindow: 65_536, aliases: [ALIAS] },
        rag: { enabled: true, url: aidb.url, limit: 2, timeoutMs: 500 },
      },
      { secrets: { inboundToken: TOKEN, remoteApiKey: REMOTE_KEY } },
    );
  });
  afterAll(async () => {
    await proxy.close();
    await local.stop();
  });

  it.each<[string, Record<string, string>]>([
    ['own key with the dedicated token', { ...claudeCodeHeaders({ apiKey: CLIENT_KEY }), 'x-claude-proxy-token': TOKEN }],
    ['OAuth bearer with the dedicated token', { ...claudeCodeHeaders({ bearer: OAUTH }), 'x-claude-proxy-token': TOKEN }],
    ['the token as the API key', claudeCodeHeaders({ apiKey: TOKEN })],
  ])('%s', async (_name, headers) => {
    for (const stream of [true, false]) {
      const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers, body: JSON.stringify(mainRequest('How are flake inputs pinned?', { model: ALIAS, stream })) });
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
