// Routing decision time in process: the synchronous decision (parse + decide), the task classifier on a
// first turn with a large paste and on one with a long typed prompt, and the optional judge against a
// fake local backend on loopback.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { parseMessagesBody } from '../src/anthropic/validate.js';
import { createLocalBackend } from '../src/backends/local/backend.js';
import { resolveConfig } from '../src/config/load.js';
import { ASKED_CHARS } from '../src/routing/prompt-parts.js';
import { createRouter } from '../src/routing/router.js';
import { claudeCodeHeaders, mainRequest } from '../test/fixtures/claude-code.js';
import { benchRequest, typedPrompt, type Size } from './requests.js';
import { summarize, type Summary } from './stats.js';

export interface DecisionTimes {
  decide: Summary;
  parse: Summary;
  /** CPU time of the decision (user + system, µs resolution): unlike wall time, not inflated when a loaded machine preempts the process. */
  decideCpu: Summary;
}

export interface JudgeTimes {
  /** decide + judge for prompts never seen: one local request each. */
  cold: Summary;
  /** decide + judge for a prompt judged before: from the cache. */
  cached: Summary;
  /** decide alone on the same unsure prompts, for comparison. */
  without: Summary;
}

const HOME = { HOME: tmpdir() };
const WARMUP = 500;

interface Samples {
  decide: number[];
  parse: number[];
  decideCpu: number[];
}
const newSamples = (): Samples => ({ decide: [], parse: [], decideCpu: [] });
const summarizeAll = (s: Samples): DecisionTimes => ({ decide: summarize(s.decide), parse: summarize(s.parse), decideCpu: summarize(s.decideCpu) });

function timed(samples: Samples, body: Buffer, run: (parsed: ReturnType<typeof parseMessagesBody>) => void, i: number): void {
  const t0 = performance.now();
  const parsed = parseMessagesBody(body, false);
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  run(parsed);
  const used = process.cpuUsage(cpu);
  const t2 = performance.now();
  if (i >= WARMUP) {
    samples.parse.push(t1 - t0);
    samples.decide.push(t2 - t1);
    samples.decideCpu.push((used.user + used.system) / 1000);
  }
}

/** The decision on bench requests: remote by rule (Opus), the default policy (Sonnet), a local alias. */
export function decisionTimes(size: Size): DecisionTimes {
  const config = resolveConfig(
    { local: { kind: 'openai', aliases: ['claude-local'], contextWindow: 200_000 }, routing: { rules: [{ name: 'bench-remote', match: { model: 'claude-opus-*' }, route: 'remote' }] } },
    HOME,
  );
  const router = createRouter(config, { local: { enabled: true, healthy: () => true } });
  const samples = newSamples();
  for (const model of ['claude-opus-5-5', 'claude-sonnet-5-5', 'claude-local']) {
    const { body, headers } = benchRequest(size, { model, stream: true });
    for (let i = 0; i < 3000; i++) timed(samples, body, (parsed) => router.decide({ endpoint: 'messages', body: parsed, headers, now: new Date() }), i);
  }
  return summarizeAll(samples);
}

/** A first turn of 80 kB whose prompt is a pasted log with a short question: the most the classifier sets aside. */
function pastedFirstTurn(): Buffer {
  const base = mainRequest('', { model: 'claude-opus-4-8' });
  const size = Buffer.byteLength(JSON.stringify(base));
  const lines: string[] = [];
  for (let i = 0, bytes = size; bytes < 80_000; i++) {
    const line = `2026-11-30 12:${String(i % 60).padStart(2, '0')}:07 WARN worker-${i % 7} refactor step ${i} took ${i * 3} ms across all services`;
    lines.push(line);
    bytes += line.length + 1;
  }
  const prompt = `Which worker is the slowest?\n${lines.join('\n')}`;
  return Buffer.from(JSON.stringify({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }, ...base.messages.slice(1)], output_config: { effort: 'high' } }));
}

/** A first turn whose prompt is 4,000 characters of the user's own prose: the most the classifier reads. */
function typedFirstTurn(): Buffer {
  return Buffer.from(JSON.stringify(mainRequest(typedPrompt(), { model: 'claude-opus-4-8' })));
}

export type ClassifierPrompt = 'pasted' | 'typed';
const CLASSIFIER_TURNS: Record<ClassifierPrompt, () => Buffer> = { pasted: pastedFirstTurn, typed: typedFirstTurn };
/** What each classifier case is, as the reports name it. */
export const CLASSIFIER_CASES: Record<ClassifierPrompt, string> = {
  pasted: '80 kB first turn, pasted log',
  typed: `first turn, ${ASKED_CHARS.toLocaleString('en')} characters typed`,
};

/** The default policy (task classifier) on a first turn with a long prompt, pasted or typed. */
export function classifierTimes(prompt: ClassifierPrompt): DecisionTimes {
  const config = resolveConfig({ local: { contextWindow: 200_000 } }, HOME);
  const router = createRouter(config, { local: { enabled: true, healthy: () => true } });
  const body = CLASSIFIER_TURNS[prompt]();
  const headers = claudeCodeHeaders();
  const samples = newSamples();
  for (let i = 0; i < 3000; i++) timed(samples, body, (parsed) => router.decide({ endpoint: 'messages', body: parsed, headers, now: new Date() }), i);
  return summarizeAll(samples);
}

/** A native Anthropic Messages server on loopback that answers every request with one word. */
async function fakeJudgeBackend(): Promise<{ url: string; close: () => Promise<void> }> {
  const events = [
    { type: 'message_start', message: { id: 'msg_judge', type: 'message', role: 'assistant', model: 'bench-judge', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 80, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'SIMPLE' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } },
    { type: 'message_stop' },
  ];
  const answer = Buffer.from(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** decide + Router.judge for unsure prompts, against the fake backend through the real local backend. */
export async function judgeTimes(count = 400): Promise<JudgeTimes> {
  const backend = await fakeJudgeBackend();
  const config = resolveConfig({ local: { kind: 'anthropic', url: backend.url, contextWindow: 200_000 }, rag: { enabled: false }, routing: { judge: { enabled: true } } }, HOME);
  const local = createLocalBackend({ config, apiKey: null, logger: pino({ level: 'silent' }), now: () => new Date() });
  const router = createRouter(config, { local });
  const headers = claudeCodeHeaders();
  const signal = new AbortController().signal;
  const bodies = Array.from({ length: count }, (_, i) => parseMessagesBody(Buffer.from(JSON.stringify(mainRequest(`Analyze this log from run ${i}`))), false));
  const samples = { cold: [] as number[], cached: [] as number[], without: [] as number[] };
  try {
    for (const [i, body] of bodies.entries()) {
      const t0 = performance.now();
      const first = router.decide({ endpoint: 'messages', body, headers, now: new Date() });
      const t1 = performance.now();
      const decided = first.awaitsJudge ? await router.judge(first, signal) : first;
      const t2 = performance.now();
      if (decided.details.judge?.outcome !== 'answered') throw new Error(`the judge did not answer: ${JSON.stringify(decided.details.judge)}`);
      // The first requests open connections and warm the JIT.
      if (i >= count / 4) {
        samples.cold.push(t2 - t0);
        samples.without.push(t1 - t0);
      }
    }
    for (const [i, body] of bodies.entries()) {
      const t0 = performance.now();
      const first = router.decide({ endpoint: 'messages', body, headers, now: new Date() });
      await router.judge(first, signal);
      if (i >= count / 4) samples.cached.push(performance.now() - t0);
    }
  } finally {
    await local.close();
    await backend.close();
  }
  return { cold: summarize(samples.cold), cached: summarize(samples.cached), without: summarize(samples.without) };
}
