import { describe, expect, it } from 'vitest';
import type { MessagesRequest, StreamEvent } from '../../src/anthropic/types.js';
import { LocalFailure, type LocalAnswer } from '../../src/backends/local/types.js';
import { resolveConfig } from '../../src/config/load.js';
import { createRouter } from '../../src/routing/router.js';
import { localAnswerEvents } from '../fixtures/fake-local-backend.js';
import { cc197Headers, defaultClaudeCodeRequest } from '../fixtures/routing-corpus.js';

const HOME = '/home/judge-test';
const UNSURE = 'Analyze this log';

/** A local backend whose model answers `reply` (or fails), recording what it was asked. */
function judgeBackend(reply: string | Error) {
  const asked: { request: MessagesRequest; retrieval: boolean | undefined }[] = [];
  return {
    asked,
    local: {
      enabled: true,
      healthy: () => true,
      async open(request: MessagesRequest, _signal: AbortSignal, options?: { retrieval?: boolean }): Promise<LocalAnswer> {
        asked.push({ request, retrieval: options?.retrieval });
        if (reply instanceof Error) throw reply;
        const events = localAnswerEvents('judge', 10, 1, reply);
        return { events: (async function* (): AsyncGenerator<StreamEvent> { yield* events; })(), started: Promise.resolve(), backend: 'local:fake', usageEstimated: false, notes: {} };
      },
    },
  };
}

function routerWith(reply: string | Error, judge: Record<string, unknown> = { enabled: true }) {
  const { asked, local } = judgeBackend(reply);
  const router = createRouter(resolveConfig({ routing: { judge }, local: { contextWindow: 200_000 } }, { HOME }), { local });
  const decide = async (prompt = UNSURE) => {
    const first = router.decide({ endpoint: 'messages', body: defaultClaudeCodeRequest(prompt), headers: cc197Headers(), now: new Date() });
    return first.awaitsJudge ? router.judge(first, new AbortController().signal) : first;
  };
  return { asked, decide };
}

describe('Router.judge', () => {
  it('asks once without retrieval, records the note, and answers the next identical prompt from its cache', async () => {
    const r = routerWith(' COMPLEX.');
    const first = await r.decide();
    expect([first.route, first.reason, first.details.judge?.outcome, first.details.judge?.verdict]).toEqual(['remote', 'judge_complex', 'answered', 'complex']);
    expect(first.awaitsJudge).toBeUndefined();
    const second = await r.decide();
    expect([second.reason, second.details.judge?.outcome]).toEqual(['judge_complex', 'cached']);
    expect(r.asked).toHaveLength(1);
    expect(r.asked[0]).toMatchObject({ retrieval: false, request: { max_tokens: 4, messages: [{ role: 'user', content: UNSURE }] } });
  });

  it('with cacheSize 0 every prompt is asked', async () => {
    const r = routerWith('simple', { enabled: true, cacheSize: 0 });
    expect((await r.decide()).reason).toBe('judge_simple');
    expect((await r.decide()).reason).toBe('judge_simple');
    expect(r.asked).toHaveLength(2);
  });

  it('a failing local model leaves the classifier route and says so', async () => {
    const d = await routerWith(new LocalFailure('refused', 'connection refused')).decide();
    expect([d.route, d.reason, d.details.judge?.outcome, d.details.judge?.verdict]).toEqual(['local', 'unsure_task', 'failed', null]);
  });

  it('an aborted client ends the wait', async () => {
    const { local } = judgeBackend('simple');
    const hanging = { ...local, open: (_r: MessagesRequest, signal: AbortSignal) => new Promise<LocalAnswer>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) };
    const router = createRouter(resolveConfig({ routing: { judge: { enabled: true, timeoutMs: 60_000 } }, local: { contextWindow: 200_000 } }, { HOME }), { local: hanging });
    const first = router.decide({ endpoint: 'messages', body: defaultClaudeCodeRequest(UNSURE), headers: cc197Headers(), now: new Date() });
    const client = new AbortController();
    const pending = router.judge(first, client.signal);
    client.abort();
    expect((await pending).details.judge?.outcome).toBe('failed');
  });

  it('is not awaited for sure prompts, for an unhealthy backend, or without a local backend that can answer', () => {
    const { local } = judgeBackend('simple');
    const config = resolveConfig({ routing: { judge: { enabled: true } }, local: { contextWindow: 200_000 } }, { HOME });
    const at = (l: Parameters<typeof createRouter>[1]['local'], prompt: string) =>
      createRouter(config, { local: l }).decide({ endpoint: 'messages', body: defaultClaudeCodeRequest(prompt), headers: cc197Headers(), now: new Date() }).awaitsJudge;
    expect(at(local, 'What is NixOS?')).toBeUndefined();
    expect(at({ ...local, healthy: () => false }, UNSURE)).toBeUndefined();
    expect(at({ enabled: true, healthy: () => true }, UNSURE)).toBeUndefined();
    expect(at(local, UNSURE)).toBe(true);
  });
});
