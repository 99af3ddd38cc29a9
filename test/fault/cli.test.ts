import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { FakeUpstream, anthropicLike, sse, streams } from '../helpers/fake-anthropic.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { buildCli, killAll, startCli } from './built-cli.js';
import { eventually } from '../helpers/proxy.js';

let build: { cli: string; dir: string };
let upstream: FakeUpstream;
let home: string;
const agent = new Agent({ connections: 8 });

beforeAll(async () => {
  [build, upstream, home] = await Promise.all([buildCli(), new FakeUpstream(anthropicLike()).start(), mkdtemp(join(tmpdir(), 'cap-cli-home-'))]);
}, 120_000);
afterEach(() => {
  killAll();
  upstream.setHandler(anthropicLike());
});
afterAll(async () => {
  killAll();
  await agent.close();
  await upstream.stop();
  await rm(home, { recursive: true, force: true });
  await rm(build.dir, { recursive: true, force: true });
});

async function configFile(name: string, listen: Record<string, number> = {}): Promise<{ file: string; telemetry: string }> {
  const telemetry = join(home, name, 'telemetry');
  const file = join(home, `${name}.yaml`);
  const drain = listen.drainTimeoutMs ?? 10_000;
  await writeFile(
    file,
    `listen:\n  port: 0\n  drainTimeoutMs: ${drain}\nremote:\n  url: ${upstream.url}\nlocal:\n  enabled: false\ntelemetry:\n  dir: ${telemetry}\nstate:\n  dir: ${join(home, name, 'state')}\nlog:\n  level: info\n`,
  );
  return { file, telemetry };
}

const env = () => ({ PATH: process.env.PATH ?? '', HOME: home });

async function telemetryLines(dir: string): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  for (const name of await readdir(dir)) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
  }
  return lines;
}

describe('SIGTERM and SIGHUP drain', () => {
  it.each(['SIGTERM', 'SIGHUP'] as const)('%s: an open stream completes, its telemetry line is written, new connections are refused, exit code 0', async (signal) => {
    const { file, telemetry } = await configFile(`drain-${signal}`);
    const proxy = await startCli(build.cli, file, env());
    const events = streams.text('draining the proxy gently');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    upstream.setHandler(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(events.slice(0, 3)));
      await gate;
      res.end(sse(events.slice(3)));
    });
    try {
      const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')), dispatcher: agent });
      const reader = res.body[Symbol.asyncIterator]();
      let text = String((await reader.next()).value);
      proxy.child.kill(signal);
      await proxy.waitFor('stopping');
      await eventually(async () => request(`${proxy.url}/health`, { reset: true }).then(
        async (r) => void (await r.body.dump()),
        (error: { code?: string }) => error.code === 'ECONNREFUSED',
      ));

      release();
      for (let next = await reader.next(); !next.done; next = await reader.next()) text += String(next.value);
      expect(text).toBe(sse(events));
      expect(await proxy.exited).toBe(0);
      const lines = await telemetryLines(telemetry);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.metadata).toMatchObject({ success: true, stream: true, output_tokens: 11 });
    } finally {
      upstream.setHandler(anthropicLike());
    }
  });

  it('a stream that outlives listen.drainTimeoutMs is cut, recorded as unsuccessful, and the process still exits 0', async () => {
    const { file, telemetry } = await configFile('cut', { drainTimeoutMs: 200 });
    const proxy = await startCli(build.cli, file, env());
    upstream.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(streams.text().slice(0, 2)));
    });
    try {
      const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')), dispatcher: agent });
      const reader = res.body[Symbol.asyncIterator]();
      await reader.next();
      proxy.child.kill('SIGTERM');
      await expect((async () => {
        for (let next = await reader.next(); !next.done; next = await reader.next());
      })()).rejects.toThrow();
      expect(await proxy.exited).toBe(0);
      expect(proxy.lines.some((l) => l.includes('drain timeout'))).toBe(true);
      const lines = await telemetryLines(telemetry);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.metadata).toMatchObject({ success: false, stream: true });
    } finally {
      upstream.setHandler(anthropicLike());
    }
  });
});

describe('telemetry write errors while serving', () => {
  it('the disk refusing writes (file size limit: EFBIG): every request succeeds, one warning, clean exit', async () => {
    const { file } = await configFile('efbig');
    // 1 block: the first event line does not fit, so the error comes from a write on an open file.
    const proxy = await startCli(build.cli, file, env(), 'ulimit -f 1');
    try {
      for (let i = 0; i < 10; i++) {
        const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest(`request ${i}`, { stream: i % 2 === 0 })), dispatcher: agent });
        expect(res.statusCode).toBe(200);
        await res.body.text();
      }
      const warning = await proxy.waitFor('telemetry cannot be written');
      expect(warning).toContain('EFBIG');
      proxy.child.kill('SIGTERM');
      expect(await proxy.exited).toBe(0);
      expect(proxy.lines.filter((l) => l.includes('telemetry cannot be written'))).toHaveLength(1);
      const stopped = JSON.parse(proxy.lines.find((l) => l.includes('"stopped"'))!) as { telemetry: { failed: number } };
      expect(stopped.telemetry.failed).toBeGreaterThan(0);
    } finally {
      killAll();
    }
  });

  it('a directory the proxy may not write (EACCES): every request succeeds, one warning, clean exit', async () => {
    const { file, telemetry } = await configFile('eacces');
    const parent = join(telemetry, '..');
    await mkdir(join(parent, 'state'), { recursive: true, mode: 0o777 });
    await chmod(join(parent, 'state'), 0o777);
    // The telemetry directory would be made inside a directory the proxy's user may not write.
    await chmod(parent, 0o555);
    // Root ignores permissions unless it lacks CAP_DAC_OVERRIDE: drop it (and read-search) for the proxy.
    const prefix = process.getuid?.() === 0 ? 'exec setpriv --bounding-set=-dac_override,-dac_read_search "$0" "$@"' : undefined;
    const proxy = await startCli(build.cli, file, env(), prefix);
    try {
      for (let i = 0; i < 5; i++) {
        const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest(`request ${i}`)), dispatcher: agent });
        expect(res.statusCode).toBe(200);
        await res.body.text();
      }
      const warning = await proxy.waitFor('telemetry cannot be written');
      expect(warning).toContain('EACCES');
      proxy.child.kill('SIGTERM');
      expect(await proxy.exited).toBe(0);
      expect(proxy.lines.filter((l) => l.includes('telemetry cannot be written'))).toHaveLength(1);
      const stopped = JSON.parse(proxy.lines.find((l) => l.includes('"stopped"'))!) as { telemetry: { written: number; failed: number } };
      expect(stopped.telemetry).toEqual({ written: 0, failed: 5 });
    } finally {
      killAll();
      await chmod(parent, 0o755);
    }
  });
});
