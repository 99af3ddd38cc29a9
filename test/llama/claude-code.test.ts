// The real Claude Code CLI through the proxy to a real llama-server. Runs in `npm run test:llama`
// only when CLAUDE_CODE_BIN names the claude binary (vitest.llama.config.ts).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTokenCount } from '../../src/telemetry/event.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { MODEL_ALIAS, startLlamaServer, type LlamaServer } from './llama-server.js';

const CLI = process.env.CLAUDE_CODE_BIN;
if (!CLI) throw new Error('set CLAUDE_CODE_BIN to the claude binary');
// Default-model routing is not on this branch: Claude Code is pointed at a local alias.
const ALIAS = 'claude-local-llama';
const CONTEXT = 32_768;

interface Result {
  subtype: string;
  is_error: boolean;
  num_turns: number;
  result: string;
}

describe.each(['anthropic', 'openai'] as const)('the real Claude Code CLI, local.kind %s, llama-server', (kind) => {
  let llama: LlamaServer;
  let proxy: RunningProxy;
  let home: string;

  beforeAll(async () => {
    llama = await startLlamaServer({ contextSize: CONTEXT });
    home = await mkdtemp(join(tmpdir(), 'cap-claude-llama-'));
    proxy = await startProxy({
      // No remote route: anything that leaves the local route fails loudly.
      remote: { url: 'http://127.0.0.1:9' },
      local: { kind, url: llama.url, model: MODEL_ALIAS, contextWindow: CONTEXT, firstByteTimeoutMs: 120_000, aliases: [ALIAS] },
      rag: { enabled: false },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await llama?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  async function claude(prompt: string, ...flags: string[]): Promise<Result> {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      ANTHROPIC_BASE_URL: proxy.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    };
    const { stdout } = await promisify(execFile)(CLI as string, ['-p', prompt, '--model', ALIAS, '--output-format', 'json', ...flags], { env, cwd: home, timeout: 280_000 });
    return JSON.parse(stdout) as Result;
  }

  const messageEvents = () => proxy.events.filter((e) => !isTokenCount(e.metadata) && e.metadata.path.startsWith('/v1/messages'));

  it('answers a question locally', async () => {
    const result = await claude('What is NixOS? Answer in one line.', '--max-turns', '1');
    expect(result.is_error).toBe(false);
    expect(messageEvents().length).toBeGreaterThan(0);
    expect(messageEvents().every((e) => e.metadata.routing_decision === 'local' && e.metadata.success)).toBe(true);
  }, 300_000);

  it('runs a tool the model called and sends its result back (a round trip)', async () => {
    const before = messageEvents().length;
    await claude('List the files here.', '--max-turns', '2', '--allowedTools', 'Bash,Read,Glob,Grep,LS');
    const turns = messageEvents().slice(before);
    expect(turns.length).toBeGreaterThanOrEqual(2);
    expect(turns[0]?.metadata.stop_reason).toBe('tool_use');
    expect(turns.every((e) => e.metadata.routing_decision === 'local' && e.metadata.success)).toBe(true);
  }, 300_000);
});
