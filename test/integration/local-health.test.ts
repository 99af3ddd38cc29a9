import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { request } from 'undici';
import { FakeUpstream, anthropicLike } from '../helpers/fake-anthropic.js';
import { FakeNative } from '../helpers/fake-native.js';
import { FakeAidb } from '../helpers/fake-aidb.js';
import { FakeCoordinator } from '../helpers/fake-coordinator.js';
import { eventually, startProxy } from '../helpers/proxy.js';
import type { Readiness } from '../../src/server/routes/ready.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';

let native: FakeNative;
let aidb: FakeAidb;
let remote: FakeUpstream;
let deadUrl: string;

beforeAll(async () => {
  [native, aidb, remote] = await Promise.all([new FakeNative().start(), new FakeAidb().start(), new FakeUpstream(anthropicLike()).start()]);
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});
afterAll(async () => {
  await Promise.all([native.stop(), aidb.stop(), remote.stop()]);
});

async function ready(settings: Record<string, unknown>): Promise<{ status: number; body: Readiness }> {
  const proxy = await startProxy(settings);
  try {
    const res = await request(`${proxy.url}/health/ready`);
    return { status: res.statusCode, body: (await res.body.json()) as Readiness };
  } finally {
    await proxy.close();
  }
}

const byName = (body: Readiness) => Object.fromEntries(body.backends.map((b) => [b.name, b]));

describe('GET /health/ready', () => {
  it('shows every backend up', async () => {
    const { status, body } = await ready({
      remote: { url: remote.url },
      local: { kind: 'anthropic', url: native.url, model: native.model },
      rag: { url: aidb.url },
    });
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    const b = byName(body);
    expect(b.local).toMatchObject({ state: 'up', breaker: 'closed', target: `anthropic ${native.url}`, warning: false });
    expect(b.aidb).toMatchObject({ state: 'up', target: aidb.url });
    expect(b.remote).toMatchObject({ state: 'up', target: remote.url });
  });

  it('is degraded, with what to fix, when the local backend is down but the remote route works', async () => {
    const { status, body } = await ready({ remote: { url: remote.url }, local: { kind: 'openai', url: deadUrl }, rag: { enabled: false } });
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    const b = byName(body);
    expect(b.local).toMatchObject({ state: 'down', detail: 'connection refused' });
    expect(b.aidb).toMatchObject({ state: 'disabled' });
  });

  it('answers 503 when nothing can serve', async () => {
    const { status, body } = await ready({ remote: { url: deadUrl }, local: { kind: 'anthropic', url: deadUrl }, rag: { enabled: false } });
    expect(status).toBe(503);
    expect(body.status).toBe('unavailable');
  });
});

describe('the health the router reads', () => {
  it('is judged by requests while healthy: no probe on their way, and one at once after a failed request', async () => {
    const coordinator = await new FakeCoordinator().start();
    let clock = Date.parse('2026-03-01T12:00:00Z');
    const proxy = await startProxy(
      { remote: { url: remote.url }, local: { kind: 'coordinator', url: coordinator.url, healthCacheMs: 1000, contextWindow: 200_000, aliases: ['claude-local-alias'] }, rag: { enabled: false } },
      { ctx: { now: () => new Date(clock) } },
    );
    const send = async () => {
      const res = await request(`${proxy.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hello', { model: 'claude-local-alias' })) });
      await res.body.dump();
      return { status: res.statusCode, route: res.headers['x-claude-proxy-route'], reason: res.headers['x-claude-proxy-reason'] };
    };
    try {
      await eventually(() => proxy.ctx.local.healthy() && coordinator.received.some((r) => r.url === '/health'));
      const probes = () => coordinator.received.filter((r) => r.url === '/health').length;
      const seen = probes();
      // Long after the result went stale, the router's reading and the request it routes probe nothing.
      clock += 10_000;
      expect(proxy.ctx.local.healthy()).toBe(true);
      expect(await send()).toMatchObject({ status: 200, route: 'local' });
      expect(probes()).toBe(seen);
      await coordinator.stop();
      // The next request fails locally, is served remotely, and makes the backend be probed at once.
      expect((await send()).status).toBe(200);
      await eventually(() => !proxy.ctx.local.healthy());
    } finally {
      await proxy.close();
    }
  });
});

describe('claude-api-proxy doctor', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cap-doctor-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function doctor(yaml: string): Promise<{ code: number | undefined; out: string }> {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, yaml);
    const { code, out } = await cli(['doctor', '--config', file], { HOME: dir });
    return { code, out };
  }

  const row = (out: string, name: string) => out.split('\n').find((line) => line.startsWith(`${name} `)) ?? '';

  it('prints ok for each reachable backend and exits 0', async () => {
    const { code, out } = await doctor(`local:\n  kind: anthropic\n  url: ${native.url}\n  model: ${native.model}\nrag:\n  url: ${aidb.url}\nremote:\n  url: ${remote.url}\n`);
    expect(code).toBe(0);
    expect(out).toMatch(/^COMPONENT +TARGET +STATUS +LATENCY +DETAIL$/m);
    expect(row(out, 'local')).toMatch(new RegExp(`^local +anthropic ${native.url} +ok +\\d+ ms +reachable; model "${native.model}" available$`));
    expect(row(out, 'aidb')).toMatch(/ ok /);
    expect(row(out, 'remote')).toMatch(/ ok /);
    expect(out).toContain('Everything required is reachable.');
  });

  it('says what to fix and exits 1 when something required is down', async () => {
    const { code, out } = await doctor(`local:\n  kind: anthropic\n  url: ${deadUrl}\nrag:\n  url: ${deadUrl}\nremote:\n  url: ${remote.url}\n`);
    expect(code).toBe(1);
    expect(row(out, 'local')).toMatch(/ FAIL +- +connection refused$/);
    expect(out).toContain(`local: start the anthropic server at ${deadUrl}, or fix local.url / local.kind`);
    expect(out).toContain('aidb: start AIDB');
    expect(out).toContain('Not working: local, aidb.');
  });

  it('warns, without failing, about a model the backend does not list', async () => {
    const { code, out } = await doctor(`local:\n  kind: anthropic\n  url: ${native.url}\n  model: llama-typo\nrag:\n  enabled: false\nremote:\n  url: ${remote.url}\n`);
    expect(code).toBe(0);
    expect(row(out, 'local')).toMatch(/ warn /);
    expect(out).toContain('local: set local.model to one of the listed models');
    expect(row(out, 'aidb')).toMatch(/ off /);
  });
});
