import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../src/anthropic/types.js';
import { resolveConfig } from '../../src/config/load.js';
import { createTaskClassifier } from '../../src/routing/task.js';
import { cli } from '../helpers/cli.js';
import { FakeUpstream, anthropicLike } from '../helpers/fake-anthropic.js';
import { eventually, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { CORPUS_RULES, WEEKDAY_MORNING, ccHeaders, defaultClaudeCodeRequest, defaultPolicyCorpus, ruleCorpus, type CorpusCase } from '../fixtures/routing-corpus.js';

// `explain` must print the decision the server makes: both go through createRouter/decide with the
// same configuration, clock, local health and saved calibration. Each case is sent to the running
// proxy and explained with the same body and headers, and the two decisions are compared.

let remote: FakeUpstream;
let localBackend: FakeUpstream;
let proxy: RunningProxy;
let configFile: string;

const AT = '2026-11-24T10:30:00';

beforeAll(async () => {
  remote = await new FakeUpstream(anthropicLike()).start();
  localBackend = await new FakeUpstream(anthropicLike()).start();
  const document = {
    remote: { url: remote.url },
    local: { kind: 'anthropic', url: localBackend.url, contextWindow: 32_768, aliases: ['local/qwen-coder'] },
    rag: { enabled: false },
    routing: { rules: CORPUS_RULES },
  };
  proxy = await startProxy(document, { ctx: { now: () => new Date(WEEKDAY_MORNING) } });
  configFile = join(proxy.home, 'config.yaml');
  await writeFile(configFile, JSON.stringify(document));
});
afterAll(async () => {
  await proxy.close();
  await remote.stop();
  await localBackend.stop();
});

interface Explained {
  route: string;
  reason: string;
  rule: string | null;
  kind: string;
  estimate: { query: number; conversation: number; request: number };
}

async function explain(c: CorpusCase, headers: Record<string, string>, localHealthy: boolean): Promise<Explained> {
  const flags = Object.entries(headers).flatMap(([name, value]) => ['--header', `${name}: ${value}`]);
  if (c.endpoint === 'count_tokens') flags.push('--count-tokens');
  const argv = ['explain', '--config', configFile, '--json', '--at', AT, '--local', localHealthy ? 'healthy' : 'unhealthy', ...flags];
  const { code, out, err } = await cli(argv, { HOME: proxy.home }, JSON.stringify(c.body));
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out) as Explained;
}

async function send(c: CorpusCase, headers: Record<string, string>) {
  const before = proxy.events.length;
  const path = c.endpoint === 'count_tokens' ? '/v1/messages/count_tokens?beta=true' : '/v1/messages?beta=true';
  const res = await request(`${proxy.url}${path}`, { method: 'POST', headers, body: JSON.stringify(c.body) });
  await res.body.text();
  const event = await eventually(() => proxy.events[before]);
  return { res, event };
}

/** Every case gets its own session, so that no stickiness from an earlier case applies (explain has no memory). */
const withOwnSession = (c: CorpusCase) => (c.headers['x-claude-code-session-id'] ? { ...c.headers, 'x-claude-code-session-id': randomUUID() } : c.headers);

const cases: CorpusCase[] = [...defaultPolicyCorpus(), ...ruleCorpus()].map((c) => ({ ...c, body: structuredClone(c.body) as MessagesRequest }));

describe('explain and the server decide the same', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const headers = withOwnSession(c);
    const healthy = proxy.ctx.local.healthy();
    // What the server learnt so far is on disk before either decides.
    await proxy.ctx.router.flush();
    const explained = await explain(c, headers, healthy);
    const { res, event } = await send(c, headers);
    const m = event.metadata;
    expect({ route: m.decided_route, reason: m.reason, rule: m.rule, kind: m.kind, estimate: m.estimate }).toEqual({
      route: explained.route,
      reason: explained.reason,
      rule: explained.rule,
      kind: explained.kind,
      estimate: explained.estimate,
    });
    const reasonHeader = String(res.headers['x-claude-proxy-reason']);
    if (m.fallback === null) expect(reasonHeader).toBe(explained.reason);
    else expect(reasonHeader).toBe(`fallback:${m.fallback.reason}`);
    expect(res.headers['x-claude-proxy-rule']).toBe(explained.rule ?? undefined);
  });

  it('the human-readable form says it in words (on a Saturday, outside the office-hours rule)', async () => {
    const c = defaultPolicyCorpus()[0]!;
    const argv = ['explain', '--config', configFile, '--at', '2026-11-28T10:30:00', ...Object.entries(ccHeaders()).flatMap(([n, v]) => ['-H', `${n}: ${v}`])];
    const { code, out } = await cli(argv, { HOME: proxy.home }, JSON.stringify(c.body));
    expect(code).toBe(0);
    expect(out).toMatch(/^route: +local$/m);
    expect(out).toMatch(/^reason: +simple_task: /m);
    expect(out).toMatch(/^task: +simple, score -2: simple:what is$/m);
    expect(out).toMatch(/^effort: +medium \(not in routing.escalateEfforts\)$/m);
    expect(out).toMatch(/^kind: +main \(client: claude-code\)$/m);
  });
});

describe('explain on the task classifier', () => {
  it('says when the server would ask the judge, and prints the escalation it found', async () => {
    const judgeConfig = join(proxy.home, 'judge.yaml');
    await writeFile(judgeConfig, JSON.stringify({ local: { contextWindow: 131_072 }, routing: { judge: { enabled: true } } }));
    const run = async (body: MessagesRequest) => {
      const { code, out } = await cli(['explain', '--config', judgeConfig, '-H', 'x-app: cli'], { HOME: proxy.home }, JSON.stringify(body));
      expect(code).toBe(0);
      return out;
    };
    const unsure = await run(defaultClaudeCodeRequest('Analyze this log'));
    expect(unsure).toMatch(/^task: +unsure, score 1: complex:analyze, narrow:this log$/m);
    expect(unsure).toMatch(/^judge: +the server would ask the local judge/m);
    const ultrathink = await run(defaultClaudeCodeRequest('Why is this test flaky?', { systemTurn: 'The user said ultrathink.' }));
    expect(ultrathink).toMatch(/^reason: +ultrathink: /m);
    expect(ultrathink).toMatch(/^escalation: keyword "ultrathink" in the role:"system" turn$/m);
    expect(ultrathink).not.toMatch(/^judge:/m);
  });

  it("consults the user's feedback corrections, as the server does", async () => {
    const home = join(proxy.home, 'feedback-home');
    const state = join(home, 'state');
    await mkdir(state, { recursive: true });
    // The features the classifier reads from a prompt like it, as `claude-api-proxy feedback` stores them from the event.
    const features = createTaskClassifier(resolveConfig({}, { HOME: home }).routing.task).classify('Rewrite the parser in Go').features;
    await writeFile(join(state, 'feedback.jsonl'), `${JSON.stringify({ requestId: 'req_011Fix', features, expected: 'local', recordedAt: '2026-11-30T10:00:00.000Z', decided: 'remote', reason: 'complex_task', score: 2 })}\n`);
    const file = join(home, 'config.json');
    await writeFile(file, JSON.stringify({ local: { contextWindow: 131_072 }, state: { dir: state } }));
    const body = defaultClaudeCodeRequest('Rewrite the CLI in Rust');
    const { code, out } = await cli(['explain', '--config', file, '-H', 'x-app: cli'], { HOME: home }, JSON.stringify(body));
    expect(code).toBe(0);
    expect(out).toMatch(/^reason: +feedback: /m);
    expect(out).toMatch(/^feedback: +exemplar req_011Fix at distance 0 says local$/m);
  });
});

describe('explain refuses bad input clearly', () => {
  async function run(argv: string[], stdinText: string) {
    const { code, err } = await cli(['explain', '--config', configFile, ...argv], { HOME: proxy.home }, stdinText);
    return { code, err };
  }

  it.each([
    ['a body that is not JSON', [], '{"model":', 'not a valid Messages API body'],
    ['a body without messages', [], '{"model":"claude-opus-5-5"}', 'messages'],
    ['a header without a colon', ['-H', 'x-app'], '{}', "expected 'name: value'"],
    ['an unknown health state', ['--local', 'maybe'], '{}', 'must be one of: healthy, unhealthy'],
    ['an unreadable time', ['--at', 'soon'], '{}', 'ISO 8601'],
    ['a request file that does not exist', ['no-such-request.json'], '{}', 'cannot read no-such-request.json (ENOENT)'],
  ])('%s', async (_name, argv, body, message) => {
    const { code, err } = await run(argv, body);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});
