import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { freePort } from '../helpers/ports.js';
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

describe('what the log says', () => {
  it('one info line per request, with route, reason, status and model', async () => {
    const { file } = await configFile('reqlog');
    const proxy = await startCli(build.cli, file, env());
    try {
      const res = await request(`${proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('hi')), dispatcher: agent });
      await res.body.text();
      const line = JSON.parse(await proxy.waitFor('"msg":"routed"')) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 30, route: 'remote', status: 200, model: mainRequest('hi').model });
      expect(typeof line.reason).toBe('string');
    } finally {
      killAll();
    }
  });

  it('at start, that nothing can go local when the local backend does not answer, and what to do', async () => {
    const { file } = await configFile('advice');
    const closed = await freePort();
    await writeFile(file, (await readFile(file, 'utf8')).replace('local:\n  enabled: false\n', `local:\n  kind: anthropic\n  url: http://127.0.0.1:${closed}\nrag:\n  enabled: false\n`));
    const proxy = await startCli(build.cli, file, env());
    try {
      const line = JSON.parse(await proxy.waitFor('nothing can go local')) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 50, msg: `nothing can go local: the anthropic backend at http://127.0.0.1:${closed} does not answer` });
      expect(String(line.fix)).toContain("claude-api-proxy init");
    } finally {
      killAll();
    }
  });
});

describe('code', () => {
  it('starts the proxy in the background when none answers, runs claude through it, and leaves it running', async () => {
    const { file } = await configFile('code');
    const port = await freePort();
    await writeFile(file, (await readFile(file, 'utf8')).replace('  port: 0\n', `  port: ${port}\n`));
    const bin = join(home, 'fake-claude');
    const report = join(home, 'code-report.json');
    await writeFile(bin, `#!${process.execPath}\nrequire('node:fs').writeFileSync(process.env.REPORT, JSON.stringify({ base: process.env.ANTHROPIC_BASE_URL, args: process.argv.slice(2) }));\n`, { mode: 0o755 });
    const child = spawn(process.execPath, [build.cli, 'code', '--config', file, '--', '--version'], { env: { ...env(), CLAUDE_CODE_BIN: bin, REPORT: report }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const pid = Number(/\(pid (\d+)/.exec(err)?.[1]);
    try {
      expect(code).toBe(0);
      expect(err).toContain(`started the proxy at http://127.0.0.1:${port}`);
      expect(JSON.parse(await readFile(report, 'utf8'))).toEqual({ base: `http://127.0.0.1:${port}`, args: ['--version'] });
      const health = await request(`http://127.0.0.1:${port}/health`);
      expect(health.statusCode).toBe(200);
      await health.body.dump();
    } finally {
      if (pid > 0) process.kill(pid, 'SIGTERM');
    }
  });
});


describe('a reader that goes away', () => {
  it('(`claude-api-proxy … | head`) ends the output quietly, with the command\'s own exit code', async () => {
    const child = spawn(process.execPath, [build.cli, 'config'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    // The reading end is closed before the program writes: its first write fails with EPIPE.
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});
