// The real Claude Code CLI through the proxy, local route to the strict native fake.
// Run with `CLAUDE_CODE_BIN=<path of the claude binary> npm run test:claude-code` (e.g. the
// node_modules/@anthropic-ai/claude-code-linux-x64/claude of a scratch install); not part of `npm test`.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNative } from '../helpers/fake-native.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

const CLI = process.env.CLAUDE_CODE_BIN;
const ALIAS = 'claude-local-test';

interface Result {
  subtype: string;
  is_error: boolean;
  num_turns: number;
  result: string;
  usage: { input_tokens: number; output_tokens: number };
}

if (!CLI) throw new Error('set CLAUDE_CODE_BIN to the claude binary');

describe('the real Claude Code CLI on the local route', () => {
  let native: FakeNative;
  let proxy: RunningProxy;
  let home: string;

  beforeAll(async () => {
    native = await new FakeNative().start();
    home = await mkdtemp(join(tmpdir(), 'cap-claude-home-'));
    proxy = await startProxy({
      // No remote route at all: anything that leaves the local route fails loudly.
      remote: { url: 'http://127.0.0.1:9' },
      local: { kind: 'anthropic', url: native.url, model: native.model, contextWindow: 131_072, maxOutputTokens: 4096, aliases: [ALIAS] },
      rag: { enabled: false },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await native.stop();
    await rm(home, { recursive: true, force: true });
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
    const { stdout } = await promisify(execFile)(CLI as string, ['-p', prompt, '--model', ALIAS, '--output-format', 'json', ...flags], { env, cwd: home, timeout: 120_000 });
    return JSON.parse(stdout) as Result;
  }

  it('answers a one-line question locally', async () => {
    const result = await claude('What is NixOS? Answer in one line.');
    expect(result).toMatchObject({ subtype: 'success', is_error: false, num_turns: 1, result: 'Local answer to: What is NixOS? Answer in one line.' });
    expect(result.usage.input_tokens).toBeGreaterThan(1000);
    expect(native.rejected).toEqual([]);
    expect(proxy.events.every((e) => e.metadata.routing_decision === 'local' && e.metadata.success)).toBe(true);
  }, 130_000);

  it('completes a Bash tool round trip', async () => {
    const result = await claude('Please run `echo hello-from-bash` and tell me the output.', '--allowedTools', 'Bash');
    expect(result).toMatchObject({ subtype: 'success', num_turns: 2, result: 'The tool said: hello-from-bash' });
    expect(native.rejected).toEqual([]);
  }, 130_000);
});
