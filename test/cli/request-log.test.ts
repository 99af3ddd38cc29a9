import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { resolveConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { buildApp } from '../../src/server/app.js';
import { createContext } from '../../src/server/runtime.js';
import { FakeUpstream, anthropicLike } from '../helpers/fake-anthropic.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';

let upstream: FakeUpstream;
let home: string;
beforeAll(async () => {
  upstream = await new FakeUpstream(anthropicLike()).start();
  home = await mkdtemp(join(tmpdir(), 'cap-reqlog-'));
});
afterAll(async () => {
  await upstream.stop();
  await rm(home, { recursive: true, force: true });
});

/** The log lines of one request through a real server whose configuration sets log.requests. */
async function linesWith(requests: 'info' | 'debug' | 'off'): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const logger = createLogger('info', false, { write: (line: string) => void lines.push(line) }, false);
  const config = resolveConfig({ listen: { port: 0 }, remote: { url: upstream.url }, local: { enabled: false }, log: { requests } }, { HOME: home });
  const ctx = createContext(config, { remoteApiKey: null, inboundToken: null, localApiKey: null }, logger);
  const app = await buildApp(ctx, logger);
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const res = await request(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')) });
    await res.body.text();
  } finally {
    await app.close();
    await ctx.telemetry.flush();
    await ctx.remote.close();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('log.requests', () => {
  it('info (the default): one line per request at info', async () => {
    const routed = (await linesWith('info')).filter((l) => l.msg === 'routed');
    expect(routed).toHaveLength(1);
    expect(routed[0]).toMatchObject({ level: 30, route: 'remote', status: 200 });
    expect(resolveConfig({}, { HOME: home }).log.requests).toBe('info');
  });

  it('debug: the line is below the info level and not written', async () => {
    expect((await linesWith('debug')).filter((l) => l.msg === 'routed')).toHaveLength(0);
  });

  it('off: no line', async () => {
    expect((await linesWith('off')).filter((l) => l.msg === 'routed')).toHaveLength(0);
  });
});
