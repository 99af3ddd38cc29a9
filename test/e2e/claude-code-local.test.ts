// The real Claude Code CLI through the proxy as a new user runs it: the default model, no --model
// alias, no effort flag. Simple work goes to the strict native fake (local), hard work to a fake
// remote upstream. Run with `CLAUDE_CODE_BIN=<path of the claude binary> npm run test:claude-code`
// (e.g. the node_modules/@anthropic-ai/claude-code-linux-x64/claude of a scratch install); not part of `npm test`.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeCodeBin, runClaude, type ClaudeResult } from '../helpers/claude-code-cli.js';
import { anthropicLike, FakeUpstream, streams } from '../helpers/fake-anthropic.js';
import { FakeNative } from '../helpers/fake-native.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

const CLI = claudeCodeBin();
const REMOTE_ANSWER = 'Remote answer from the fake upstream.';

describe('the real Claude Code CLI with its defaults', () => {
  let native: FakeNative;
  let remote: FakeUpstream;
  let proxy: RunningProxy;
  let home: string;

  beforeAll(async () => {
    native = await new FakeNative().start();
    remote = await new FakeUpstream(anthropicLike(() => streams.text(REMOTE_ANSWER, 'claude-opus-4-8'))).start();
    home = await mkdtemp(join(tmpdir(), 'cap-claude-home-'));
    proxy = await startProxy({
      remote: { url: remote.url },
      local: { kind: 'anthropic', url: native.url, model: native.model, contextWindow: 131_072, maxOutputTokens: 4096 },
      rag: { enabled: false },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await native.stop();
    await remote.stop();
    await rm(home, { recursive: true, force: true });
  });

  const messagesSentRemote = () => remote.received.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/messages'));

  async function claude(prompt: string, ...flags: string[]): Promise<ClaudeResult> {
    const result = await runClaude({ bin: CLI, url: proxy.url, home, prompt, flags, timeoutMs: 120_000 });
    if (result === null) throw new Error('claude printed no result within 120 s');
    return result;
  }

  it('answers "What is NixOS?" locally', async () => {
    const before = proxy.events.length;
    const result = await claude('What is NixOS?');
    expect(result).toMatchObject({ subtype: 'success', is_error: false, num_turns: 1, result: 'Local answer to: What is NixOS?' });
    expect(result.usage.input_tokens).toBeGreaterThan(1000);
    expect(native.rejected).toEqual([]);
    const events = proxy.events.slice(before);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.metadata.routing_decision === 'local' && e.metadata.success)).toBe(true);
    expect(messagesSentRemote()).toEqual([]);
  }, 130_000);

  it('completes a Bash tool round trip locally', async () => {
    const before = proxy.events.length;
    const result = await claude('Please run `echo hello-from-bash` and tell me the output.', '--allowedTools', 'Bash');
    expect(result).toMatchObject({ subtype: 'success', num_turns: 2, result: 'The tool said: hello-from-bash' });
    expect(native.rejected).toEqual([]);
    expect(proxy.events.slice(before).map((e) => e.metadata.routing_decision)).toEqual(['local', 'local']);
    expect(messagesSentRemote()).toEqual([]);
  }, 130_000);

  it('sends "Refactor entire codebase" to the remote upstream', async () => {
    const before = proxy.events.length;
    const result = await claude('Refactor entire codebase');
    expect(result).toMatchObject({ subtype: 'success', is_error: false, result: REMOTE_ANSWER });
    expect(messagesSentRemote().length).toBeGreaterThan(0);
    const events = proxy.events.slice(before);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.metadata.routing_decision === 'remote' && e.metadata.decided_route === 'remote')).toBe(true);
  }, 130_000);
});
