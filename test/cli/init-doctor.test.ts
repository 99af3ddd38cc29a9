import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, anthropicLike } from '../helpers/fake-anthropic.js';
import { FakeLlamaServer, FakeOllama } from '../helpers/fake-llama.js';
import { scratchDirs } from '../helpers/scratch.js';
import { cli, deadUrl } from '../helpers/cli.js';

const scratchDir = scratchDirs('cap-init-');
let DEAD: string;

let llama: FakeLlamaServer;
let ollama: FakeOllama;
let remote: FakeUpstream;
beforeAll(async () => {
  DEAD = await deadUrl();
  [llama, ollama, remote] = await Promise.all([new FakeLlamaServer(8192).start(), new FakeOllama(null).start(), new FakeUpstream(anthropicLike()).start()]);
});
afterAll(async () => {
  await Promise.all([llama.stop(), ollama.stop(), remote.stop()]);
});

const envFor = (home: string) => ({ HOME: home, XDG_CONFIG_HOME: join(home, 'cfg'), AIDB_MCP_URL: DEAD });

describe('init', () => {
  it('finds a llama-server, reads its real context window and writes a configuration that routes to it', async () => {
    const home = await scratchDir();
    const { code, out } = await cli(['init', '--only', '--url', DEAD, '--url', `${llama.url}/v1`], envFor(home));
    expect(code).toBe(0);
    expect(out).toContain(`llama.cpp at ${llama.url}: tiny-qwen3 (context 8192)`);
    const file = join(home, 'cfg', 'claude-api-proxy', 'config.yaml');
    expect(out).toContain(`Wrote ${file}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const config = await cli(['config', '--json'], envFor(home));
    const settings = (JSON.parse(config.out) as { settings: Record<string, { value: unknown }> }).settings;
    expect(settings['local.kind']?.value).toBe('anthropic');
    expect(settings['local.url']?.value).toBe(llama.url);
    expect(settings['local.model']?.value).toBe('tiny-qwen3');
    expect(settings['local.contextWindow']?.value).toBe(8192);
    expect(settings['rag.enabled']?.value).toBe(false);
    expect(await readFile(file, 'utf8')).toContain('Claude Code turns need about 26k tokens');
  });

  it('keeps an existing file unless --force', async () => {
    const home = await scratchDir();
    const file = join(home, 'mine.yaml');
    await writeFile(file, 'listen:\n  port: 9000\n');
    const kept = await cli(['init', '--only', '--url', llama.url, '--config', file], envFor(home));
    expect(kept.code).toBe(1);
    expect(kept.err).toContain(`${file} exists already; not replacing it (--force replaces it`);
    expect(await readFile(file, 'utf8')).toBe('listen:\n  port: 9000\n');
    const forced = await cli(['init', '--only', '--url', llama.url, '--config', file, '--force'], envFor(home));
    expect(forced.code).toBe(0);
    expect(await readFile(file, 'utf8')).toContain(`url: ${llama.url}`);
  });

  it('tells Ollama apart from llama.cpp and warns that its default context is small', async () => {
    const home = await scratchDir();
    const { code, out } = await cli(['init', '--only', '--url', ollama.url, '--print'], envFor(home));
    expect(code).toBe(0);
    expect(out).toContain(`ollama at ${ollama.url}: qwen3:8b (context not reported)`);
    expect(out).toContain('kind: anthropic');
    expect(out).toContain('contextWindow: 4096');
    expect(out).toContain('the server did not say');
  });

  it('says what to start when nothing answers, and writes nothing', async () => {
    const home = await scratchDir();
    const { code, out } = await cli(['init', '--only', '--url', DEAD], envFor(home));
    expect(code).toBe(1);
    expect(out).toContain('No local LLM server answered');
    expect(out).toContain('llama-server -m MODEL.gguf --jinja -c 32768');
    await expect(stat(join(home, 'cfg', 'claude-api-proxy', 'config.yaml'))).rejects.toThrow(/ENOENT/);
  });
});

describe('doctor on the local route', () => {
  async function doctor(yaml: string, ...flags: string[]) {
    const home = await scratchDir();
    const file = join(home, 'config.yaml');
    await writeFile(file, `${yaml}rag:\n  enabled: false\nremote:\n  url: ${remote.url}\n`);
    return cli(['doctor', '--config', file, ...flags], { HOME: home });
  }

  it('warns when the server runs a smaller context than local.contextWindow, and offers the real one', async () => {
    const { code, out } = await doctor(`local:\n  kind: anthropic\n  url: ${llama.url}\n  model: tiny-qwen3\n  contextWindow: 32768\n`);
    expect(code).toBe(0);
    expect(out).toContain('~ the server runs a context of 8192 tokens but local.contextWindow is 32768: requests between the two get HTTP 400 and fall back');
    expect(out).toContain('fix: set local.contextWindow: 8192, or restart the server with a context of 32768');
    expect(out).toContain('smaller than a Claude Code turn');
  });

  it('says nothing about the window when it matches and is large enough', async () => {
    const big = await new FakeLlamaServer(32768).start();
    try {
      const { code, out } = await doctor(`local:\n  kind: anthropic\n  url: ${big.url}\n  model: tiny-qwen3\n  contextWindow: 32768\n`);
      expect(code).toBe(0);
      expect(out).not.toContain('Local route:');
      expect(out).toContain('The local route is ready.');
    } finally {
      await big.stop();
    }
  });

  it('fails an openai local.url ending in /v1, which breaks every request', async () => {
    const { code, out } = await doctor(`local:\n  kind: openai\n  url: ${llama.url}/v1\n  model: tiny-qwen3\n  contextWindow: 8192\n`);
    expect(code).toBe(1);
    expect(out).toContain(`! local.url ${llama.url}/v1 ends in /v1, and the openai adapter adds /v1/chat/completions itself: every request fails`);
    expect(out).toContain(`fix: set local.url: ${llama.url}`);
    expect(out).toContain('Nothing can go local until the items marked ! are fixed.');
  });

  it('says plainly that nothing can go local with the defaults when no coordinator runs', async () => {
    const home = await scratchDir();
    const { code, out } = await cli(['doctor'], { HOME: home, HYBRID_COORDINATOR_URL: DEAD, AIDB_MCP_URL: DEAD });
    expect(code).toBe(1);
    expect(out).toContain(`! nothing can go local: the coordinator backend at ${DEAD} does not answer`);
    expect(out).toContain("run 'claude-api-proxy init' to find one");
  });

  it('warns that local answers come without context when AIDB is on but does not answer', async () => {
    const home = await scratchDir();
    const file = join(home, 'config.yaml');
    await writeFile(file, `local:\n  kind: anthropic\n  url: ${llama.url}\n  model: tiny-qwen3\n  contextWindow: 8192\nrag:\n  url: ${DEAD}\nremote:\n  url: ${remote.url}\n`);
    const { out } = await cli(['doctor', '--config', file], { HOME: home });
    expect(out).toContain(`~ AIDB at ${DEAD} does not answer: local answers come without retrieved context`);
    expect(out).toContain('fix: start AIDB, point rag.url (or AIDB_MCP_URL) at it, or set rag.enabled: false');
  });

  it('--deep sends one real generation through the local adapter and skips the remote route without a key', async () => {
    const { code, out } = await doctor(`local:\n  kind: anthropic\n  url: ${llama.url}\n  model: tiny-qwen3\n  contextWindow: 8192\n`, '--deep');
    expect(code).toBe(0);
    expect(out).toMatch(/^local +ok +answered in \d+\.\d s, \d+ output tokens: "Local answer to: Reply with the single w"$/m);
    expect(out).toMatch(/^remote +skipped +no key to try with/m);
    expect(llama.calls.filter((c) => c.url.startsWith('/v1/messages'))).not.toHaveLength(0);
  });

  it('--deep sends one generation to the remote API when the proxy has a key of its own', async () => {
    const home = await scratchDir();
    const file = join(home, 'config.yaml');
    await writeFile(file, `local:\n  enabled: false\nremote:\n  url: ${remote.url}\n`);
    const before = remote.received.length;
    const { code, out } = await cli(['doctor', '--config', file, '--deep'], { HOME: home, ANTHROPIC_API_KEY: 'sk-ant-doctor' });
    expect(code).toBe(0);
    expect(out).toMatch(/^remote +ok +answered in \d+\.\d s$/m);
    const sent = remote.received.slice(before).find((r) => r.method === 'POST');
    expect(sent?.url).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe('sk-ant-doctor');
  });

  it('--deep fails when the local server cannot generate', async () => {
    llama.fault = 'http500';
    try {
      const { code, out } = await doctor(`local:\n  kind: anthropic\n  url: ${llama.url}\n  model: tiny-qwen3\n  contextWindow: 8192\n`, '--deep');
      expect(code).toBe(1);
      expect(out).toMatch(/^local +failed +/m);
      expect(out).toContain('A test generation failed: local.');
    } finally {
      llama.fault = null;
    }
  });
});
