import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeUpstream, anthropicLike } from '../helpers/fake-anthropic.js';
import { FakeLlamaServer } from '../helpers/fake-llama.js';
import { eventually, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { scratchDirs } from '../helpers/scratch.js';
import { cli, deadUrl } from '../helpers/cli.js';

const scratchDir = scratchDirs('cap-status-');

let llama: FakeLlamaServer;
let remote: FakeUpstream;
let proxy: RunningProxy;
let configFile: string;
let home: string;

beforeAll(async () => {
  [llama, remote] = await Promise.all([new FakeLlamaServer(32768).start(), new FakeUpstream(anthropicLike()).start()]);
  proxy = await startProxy({ local: { kind: 'anthropic', url: llama.url, model: 'tiny-qwen3', contextWindow: 32768 }, rag: { enabled: false }, remote: { url: remote.url } });
  home = await scratchDir();
  configFile = join(home, 'config.yaml');
  await writeFile(configFile, `listen:\n  port: ${new URL(proxy.url).port}\n`);
});
afterAll(async () => {
  await proxy.close();
  await Promise.all([llama.stop(), remote.stop()]);
});

async function ask(route: 'local' | 'remote'): Promise<void> {
  const res = await request(`${proxy.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-test', 'x-claude-proxy-route': route },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] }),
  });
  expect(res.headers['x-claude-proxy-route']).toBe(route);
  await res.body.text();
}

describe('status and statusline', () => {
  it('with no proxy: status says so and exits 1; statusline prints "proxy off" and exits 0', async () => {
    const dead = join(home, 'dead.yaml');
    const port = new URL(await deadUrl()).port;
    await writeFile(dead, `listen:\n  port: ${port}\n`);
    const status = await cli(['status', '--config', dead], { HOME: home });
    expect(status.code).toBe(1);
    expect(status.out).toContain(`proxy:    not running (connection refused) at http://127.0.0.1:${port}`);
    const line = await cli(['statusline', '--config', dead], { HOME: home });
    expect(line).toEqual({ code: 0, out: 'proxy off\n', err: '' });
  });

  it('show the backends and what went local today', async () => {
    await ask('local');
    await ask('local');
    await ask('remote');
    const status = await eventually(async () => {
      const result = await cli(['status', '--config', configFile], { HOME: home });
      return result.out.includes('3 requests') ? result : null;
    });
    expect(status.code).toBe(0);
    expect(status.out).toMatch(new RegExp(`^proxy: +up at ${proxy.url} \\(version \\d+\\.\\d+\\.\\d+, up \\d+ s\\)$`, 'm'));
    expect(status.out).toMatch(new RegExp(`^local: +ok +anthropic ${llama.url} \\(reachable; model "tiny-qwen3" available\\)$`, 'm'));
    expect(status.out).toMatch(/^aidb: +off /m);
    expect(status.out).toMatch(/^today: +3 requests, 2 local \(67 %\), \$\d+\.\d\d saved \(\d[\d,]* tokens\)$/m);
    const line = await cli(['statusline', '--config', configFile], { HOME: home });
    expect(line.code).toBe(0);
    expect(line.out).toMatch(/^local 67% · \$\d+\.\d\d saved today\n$/);
    const json = JSON.parse((await cli(['status', '--config', configFile, '--json'], { HOME: home })).out) as { up: boolean; today: { requests: number; served_local: number } };
    expect(json).toMatchObject({ up: true, today: { requests: 3, served_local: 2 } });
  });
});

describe('env', () => {
  it('prints the exports for sh and fish; a token file is read when the line runs, never printed', async () => {
    const dir = await scratchDir();
    const file = join(dir, 'config.yaml');
    await writeFile(file, `listen:\n  host: 0.0.0.0\n  port: 9123\nauth:\n  tokenFile: ${join(dir, 'token')}\n`);
    await writeFile(join(dir, 'token'), 'secret-token\n');
    const sh = await cli(['env', '--config', file, '--shell', 'sh'], { HOME: dir });
    expect(sh.out).toBe(`export ANTHROPIC_BASE_URL='http://127.0.0.1:9123'\nexport ANTHROPIC_CUSTOM_HEADERS='x-claude-proxy-token: '"$(cat '${join(dir, 'token')}')"\n`);
    const fish = await cli(['env', '--config', file], { HOME: dir, SHELL: '/usr/bin/fish' });
    expect(fish.out).toBe(`set -gx ANTHROPIC_BASE_URL 'http://127.0.0.1:9123'\nset -gx ANTHROPIC_CUSTOM_HEADERS 'x-claude-proxy-token: '(cat '${join(dir, 'token')}')\n`);
    expect(sh.out + fish.out).not.toContain('secret-token');
  });
});

/** A stand-in for Claude Code: writes where it would send requests and what the proxy said into REPORT, exits 3. */
async function fakeClaude(dir: string): Promise<{ bin: string; report: string }> {
  const bin = join(dir, 'claude');
  const report = join(dir, 'report.json');
  const script = [
    `#!${process.execPath}`,
    "fetch(process.env.ANTHROPIC_BASE_URL + '/health').then((r) => {",
    "  const report = { base: process.env.ANTHROPIC_BASE_URL, args: process.argv.slice(2), health: r.status };",
    "  require('node:fs').writeFileSync(process.env.REPORT, JSON.stringify(report));",
    '  process.exit(3);',
    '});',
  ];
  await writeFile(bin, `${script.join('\n')}\n`, { mode: 0o755 });
  return { bin, report };
}

describe('code', () => {
  it('finds the running proxy and runs claude through it with the arguments given, returning its exit code', async () => {
    const dir = await scratchDir();
    const { bin, report } = await fakeClaude(dir);
    const result = await cli(['code', '--config', configFile, '-p', 'what is this?', '--model', 'sonnet'], { HOME: home, CLAUDE_CODE_BIN: bin, REPORT: report });
    expect(result.code).toBe(3);
    expect(result.err).toBe('');
    expect(JSON.parse(await readFile(report, 'utf8'))).toEqual({ base: proxy.url, args: ['-p', 'what is this?', '--model', 'sonnet'], health: 200 });
  });

  it('says how to get claude when it is not installed', async () => {
    const result = await cli(['code', '--config', configFile], { HOME: home, CLAUDE_CODE_BIN: join(home, 'no-such-claude') });
    expect(result.code).toBe(1);
    expect(result.err).toContain('not found on PATH: install Claude Code (npm install -g @anthropic-ai/claude-code) or set CLAUDE_CODE_BIN');
  });
});
