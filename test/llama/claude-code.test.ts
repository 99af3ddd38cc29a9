// The real Claude Code CLI through the proxy to a real llama-server. Runs in `npm run test:llama`
// only when CLAUDE_CODE_BIN names the claude binary (vitest.llama.config.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTokenCount } from '../../src/telemetry/event.js';
import { claudeCodeBin, runClaude, type ClaudeResult } from '../helpers/claude-code-cli.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { MODEL_ALIAS, startLlamaServer, type LlamaServer } from './llama-server.js';

const CLI = claudeCodeBin();
// Claude Code runs as users run it: its default model, no --model and no effort flag.
const CONTEXT = 65_536;
/** Seeds tried in turn for a first turn of the wanted kind. */
const SEEDS = [1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31];
/**
 * The random model may go on to the output cap: a small cap keeps each try short (a first turn's
 * tool call here is well under it), and a try that still takes longer counts as a miss.
 */
const MAX_OUTPUT_TOKENS = 1024;
const TRY_MS = 150_000;

describe.each(['anthropic', 'openai'] as const)('the real Claude Code CLI, local.kind %s, llama-server', (kind) => {
  let llama: LlamaServer | null = null;
  let proxy: RunningProxy | null = null;
  let home = '';

  /** A server and proxy per attempt: the seed decides whether the tiny model calls a tool. */
  async function start(seed: number): Promise<RunningProxy> {
    llama = await startLlamaServer({ contextSize: CONTEXT, seed });
    home = await mkdtemp(join(tmpdir(), 'cap-claude-llama-'));
    proxy = await startProxy({
      // No remote route: anything that leaves the local route fails loudly.
      remote: { url: 'http://127.0.0.1:9' },
      local: { kind, url: llama.url, model: MODEL_ALIAS, contextWindow: CONTEXT, maxOutputTokens: MAX_OUTPUT_TOKENS, firstByteTimeoutMs: 120_000 },
      rag: { enabled: false },
    });
    return proxy;
  }

  async function stop(): Promise<void> {
    await proxy?.close();
    await llama?.stop();
    if (home) await rm(home, { recursive: true, force: true });
    proxy = null;
    llama = null;
    home = '';
  }

  /**
   * Runs the CLI against fresh servers, seed after seed, until the tiny model's first turn ends as
   * wanted. The random model's choice follows the prompt's bytes, and the CLI's prompt changes with
   * the date and the working directory: no one seed holds.
   */
  async function firstTurnEnding(stopReason: 'end_turn' | 'tool_use', prompt: string, flags: string[]): Promise<{ p: RunningProxy; result: ClaudeResult }> {
    const seen: string[] = [];
    for (const seed of SEEDS) {
      const p = await start(seed);
      const result = await runClaude({ bin: CLI, url: p.url, home, prompt, flags, timeoutMs: TRY_MS });
      const first = messageEvents(p)[0]?.metadata.stop_reason ?? 'none';
      if (result !== null && first === stopReason) return { p, result };
      seen.push(`seed ${seed}: ${result === null ? `no result within ${TRY_MS / 1000} s` : first}`);
      await stop();
    }
    throw new Error(`no seed made the first turn end with ${stopReason} (${seen.join(', ')})`);
  }
  afterEach(stop);

  const messageEvents = (p: RunningProxy) => p.events.filter((e) => !isTokenCount(e.metadata) && e.metadata.path.startsWith('/v1/messages'));

  it('answers a question locally', async () => {
    const { p, result } = await firstTurnEnding('end_turn', 'What is NixOS? Answer in one line.', ['--max-turns', '1']);
    expect(result.is_error).toBe(false);
    expect(messageEvents(p).length).toBeGreaterThan(0);
    expect(messageEvents(p).every((e) => e.metadata.routing_decision === 'local' && e.metadata.success)).toBe(true);
  }, SEEDS.length * (TRY_MS + 20_000));

  it('runs a tool the model called and sends its result back (a round trip)', async () => {
    const { p } = await firstTurnEnding('tool_use', 'List the files here.', ['--max-turns', '2', '--allowedTools', 'Bash,Read,Glob,Grep,LS']);
    const turns = messageEvents(p);
    expect(turns.length).toBeGreaterThanOrEqual(2);
    expect(turns.every((e) => e.metadata.routing_decision === 'local' && e.metadata.success)).toBe(true);
  }, SEEDS.length * (TRY_MS + 20_000));
});
