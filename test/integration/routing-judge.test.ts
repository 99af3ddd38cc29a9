import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../src/anthropic/types.js';
import { FakeUpstream, anthropicLike } from '../helpers/fake-anthropic.js';
import { FakeNative, defaultBrain, type Brain } from '../helpers/fake-native.js';
import { eventually, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { cc197Headers, defaultClaudeCodeRequest } from '../fixtures/routing-corpus.js';

// The optional local judge inside the running server: a prompt the classifier is unsure about is
// classified by the local model (a fake native server here) within the latency budget, cached by
// prompt hash, and the classifier's route stands when the judge times out or fails.

const JUDGE_MARK = 'You sort requests';
let native: FakeNative;
let remote: FakeUpstream;
let proxy: RunningProxy;
let judgeOff: RunningProxy;
/** Unsure tasks go remote here, so a judge that hangs or fails leaves a request the remote fake serves. */
let unsureRemote: RunningProxy;

/** The fake model as a judge: it answers the verdict it is told to for prompts containing a word. */
const judgingBrain =
  (verdicts: Record<string, string>): Brain =>
  (seen) => {
    if (!seen.system.includes(JUDGE_MARK)) return defaultBrain(seen);
    const found = Object.entries(verdicts).find(([word]) => seen.lastUserText.includes(word));
    return { blocks: [{ type: 'text', text: found?.[1] ?? 'Not sure.' }] };
  };

const judgeRequests = () => native.accepted.filter((body) => JSON.stringify(body.system ?? '').includes(JUDGE_MARK));

beforeAll(async () => {
  native = await new FakeNative().start();
  remote = await new FakeUpstream(anthropicLike()).start();
  const settings = (judge: Record<string, unknown>, task: Record<string, unknown> = {}) => ({
    remote: { url: remote.url },
    local: { kind: 'anthropic', url: native.url, model: native.model, contextWindow: 200_000 },
    rag: { enabled: true, url: 'http://127.0.0.1:9' },
    routing: { judge, task },
  });
  proxy = await startProxy(settings({ enabled: true, timeoutMs: 200 }));
  judgeOff = await startProxy(settings({}));
  unsureRemote = await startProxy(settings({ enabled: true, timeoutMs: 200 }, { unsure: 'remote' }));
});
afterAll(async () => {
  await proxy.close();
  await judgeOff.close();
  await unsureRemote.close();
  await native.stop();
  await remote.stop();
});
afterEach(() => native.reset());

async function post(target: RunningProxy, body: MessagesRequest) {
  const before = target.events.length;
  const res = await request(`${target.url}/v1/messages?beta=true`, { method: 'POST', headers: cc197Headers(), body: JSON.stringify(body) });
  await res.body.text();
  const event = await eventually(() => target.events[before]);
  return { route: res.headers['x-claude-proxy-route'], reason: res.headers['x-claude-proxy-reason'], event };
}

/** The decision before the judge, as the server's router makes it. */
const decide = (target: RunningProxy, prompt: string) =>
  target.ctx.router.decide({ endpoint: 'messages', body: defaultClaudeCodeRequest(prompt), headers: cc197Headers(), now: new Date() });

describe('the local judge', () => {
  it('decides a task the classifier is unsure about, with one short request and no retrieval', async () => {
    expect(decide(proxy, 'Analyze this log').awaitsJudge).toBe(true);
    expect(decide(judgeOff, 'Analyze this log').awaitsJudge).toBeUndefined();
    native.brain = judgingBrain({ 'Analyze this log': 'COMPLEX' });
    const got = await post(proxy, defaultClaudeCodeRequest('Analyze this log'));
    expect([got.route, got.reason]).toEqual(['remote', 'judge_complex']);
    const [asked] = judgeRequests();
    expect(asked).toMatchObject({ max_tokens: 4, messages: [{ role: 'user', content: [{ type: 'text', text: 'Analyze this log' }] }] });
    expect(asked).not.toHaveProperty('tools');
    expect(JSON.stringify(asked)).not.toContain('Context retrieved');
  });

  it('a verdict is remembered by prompt hash: the same prompt is not judged twice', async () => {
    native.brain = judgingBrain({ 'Implement a function that parses durations': 'simple' });
    const first = await post(proxy, defaultClaudeCodeRequest('Implement a function that parses durations'));
    const second = await post(proxy, defaultClaudeCodeRequest('Implement a function that parses durations'));
    expect([first.reason, second.reason]).toEqual(['judge_simple', 'judge_simple']);
    expect([first.route, second.route]).toEqual(['local', 'local']);
    expect(judgeRequests()).toHaveLength(1);
  });

  it('an answer naming neither verdict leaves the classifier route (routing.task.unsure: local)', async () => {
    native.brain = judgingBrain({});
    const got = await post(proxy, defaultClaudeCodeRequest('Implement a small cache'));
    expect([got.route, got.reason]).toEqual(['local', 'unsure_task']);
  });

  it.each([
    ['hangs past the budget', 'hang'],
    ['fails', 'http500'],
  ] as const)('when the judge %s, the classifier route stands', async (_name, fault) => {
    native.fault = fault;
    const got = await post(unsureRemote, defaultClaudeCodeRequest(`Implement a small cache (${fault})`));
    expect([got.route, got.reason]).toEqual(['remote', 'unsure_task']);
    expect(judgeRequests()).toHaveLength(1);
  });

  it('is not asked when it is off, nor for prompts the classifier is sure about', async () => {
    native.brain = judgingBrain({ Analyze: 'COMPLEX', NixOS: 'COMPLEX' });
    expect((await post(judgeOff, defaultClaudeCodeRequest('Analyze this log'))).reason).toBe('unsure_task');
    expect((await post(proxy, defaultClaudeCodeRequest('What is NixOS?'))).reason).toBe('simple_task');
    expect(judgeRequests()).toHaveLength(0);
  });
});
