import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeUpstream, anthropicLike } from '../helpers/fake-anthropic.js';
import { startProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { eventFileName } from '../../src/telemetry/writer.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await new FakeUpstream(anthropicLike()).start();
});
afterAll(async () => {
  await upstream.stop();
});

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

async function serveOne(prepare: (dir: string) => Promise<void>): Promise<string> {
  const proxy = await startProxy({ remote: { url: upstream.url }, local: { enabled: false }, telemetry: { dir: '~/telemetry' } });
  const dir = join(proxy.home, 'telemetry');
  try {
    await prepare(dir);
    const res = await request(`${proxy.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')) });
    await res.body.text();
    await proxy.ctx.telemetry.flush();
    expect(await readdir(dir)).toContain(eventFileName(new Date()));
    return `${await mode(dir)} ${await mode(join(dir, eventFileName(new Date())))}`;
  } finally {
    await proxy.close();
  }
}

describe('telemetry files are private', () => {
  it('a new directory is 0700 and the event file 0600', async () => {
    expect(await serveOne(async () => undefined)).toBe('700 600');
  });

  it('an existing wider directory and file are narrowed to 0700 and 0600', async () => {
    const result = await serveOne(async (dir) => {
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o755);
      await writeFile(join(dir, eventFileName(new Date())), '', { mode: 0o644 });
      await chmod(join(dir, eventFileName(new Date())), 0o644);
    });
    expect(result).toBe('700 600');
  });
});
