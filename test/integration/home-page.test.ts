import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

let proxy: RunningProxy;

beforeAll(async () => {
  proxy = await startProxy({ local: { enabled: false } });
});
afterAll(async () => {
  await proxy.close();
});

describe('GET /', () => {
  it('is a short page saying what this is, with links to the dashboard and health', async () => {
    const res = await request(`${proxy.url}/`);
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(text).toContain('claude-api-proxy');
    expect(text).toContain('ANTHROPIC_BASE_URL');
    expect(text).toContain('href="/dashboard"');
    expect(text).toContain('href="/health"');
  });

  it('HEAD / stays a quick empty 200 (Claude Code probes it)', async () => {
    const res = await request(`${proxy.url}/`, { method: 'HEAD' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('');
  });
});
