import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeLlamaServer } from '../helpers/fake-llama.js';
import { eventually, startProxy, type RunningProxy } from '../helpers/proxy.js';

let llama: FakeLlamaServer;
let proxy: RunningProxy;
beforeAll(async () => {
  llama = await new FakeLlamaServer(32768).start();
  proxy = await startProxy({ local: { kind: 'anthropic', url: llama.url, model: 'tiny-qwen3' }, rag: { enabled: false } });
});
afterAll(async () => {
  await proxy.close();
  await llama.stop();
});

const backend = async () => ((await (await fetch(`${proxy.url}/stats/live`)).json()) as { backend: { healthy: boolean; health: string } }).backend;

describe('local backend health as shown', () => {
  it('is "unknown", not healthy, before the first probe answered; then what the probe found', async () => {
    expect(llama.received.filter((r) => r.url === '/v1/models')).toHaveLength(0);
    expect(await backend()).toMatchObject({ healthy: false, health: 'unknown' });
    expect(await eventually(async () => ((await backend()).health === 'healthy' ? backend() : null))).toMatchObject({ healthy: true, health: 'healthy' });
  });
});
