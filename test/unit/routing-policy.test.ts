import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../src/anthropic/types.js';
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { REASONS } from '../../src/routing/reasons.js';
import { createRouter } from '../../src/routing/router.js';
import type { Decision, Endpoint, Router } from '../../src/routing/types.js';
import { countTokensRequest, filler, mainRequest, titleRequest, toolResultRequest } from '../fixtures/claude-code.js';
import {
  CORPUS_RULES,
  SATURDAY_MORNING,
  SESSION_A,
  WEEKDAY_MORNING,
  SESSION_B,
  ccHeaders,
  defaultPolicyCorpus,
  imageRequest,
  ruleCorpus,
  sdkHeaders,
  sdkRequest,
  cc197Headers,
  compactRequest,
  defaultClaudeCodeRequest,
  followUpRequest,
} from '../fixtures/routing-corpus.js';

const HOME = '/home/routing-test';
const LOCAL = { contextWindow: 32_768, aliases: ['local/qwen-coder'] };

function configWith(document: Record<string, unknown> = {}): Config {
  const local = (document.local ?? {}) as Record<string, unknown>;
  return resolveConfig({ ...document, local: { ...LOCAL, ...local } }, { HOME });
}

interface Harness {
  router: Router;
  health: { healthy: boolean };
  clock: { now: Date };
  decide(body: MessagesRequest, headers?: Record<string, string>, endpoint?: Endpoint): Decision;
  /** Reports that a decision was served, as the server does after each request. */
  serve(decision: Decision, options?: { route?: 'local' | 'remote'; session?: string | null; toolUseIds?: string[]; inputTokens?: number | null }): void;
}

function harness(document: Record<string, unknown> = {}): Harness {
  const health = { healthy: true };
  const clock = { now: SATURDAY_MORNING };
  const router = createRouter(configWith(document), { local: { enabled: true, healthy: () => health.healthy }, now: () => clock.now });
  return {
    router,
    health,
    clock,
    decide: (body, headers = ccHeaders(), endpoint = 'messages') => router.decide({ endpoint, body, headers, now: clock.now }),
    serve: (decision, options = {}) =>
      router.observe({
        decision,
        route: options.route ?? decision.route,
        sessionId: options.session === undefined ? SESSION_A : options.session,
        model: 'claude-opus-5-5',
        inputTokens: options.inputTokens ?? null,
        toolUseIds: options.toolUseIds ?? [],
      }),
  };
}

describe('the default policy on Claude Code traffic', () => {
  const h = harness();
  const followTask = harness({ routing: { countTokens: 'follow-task' } });
  it.each(defaultPolicyCorpus().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const decision = h.decide(c.body, c.headers, c.endpoint);
    expect({ route: decision.route, reason: decision.reason, kind: decision.kind }).toEqual(c.expect);
    expect(REASONS).toHaveProperty(decision.reason);
  });

  it.each(defaultPolicyCorpus().filter((c) => c.endpoint === 'messages').map((c) => [c.name, c] as const))(
    'count_tokens is remote, and with countTokens follow-task it goes where the message would: %s',
    (_name, c) => {
      const counted = h.decide(c.body, c.headers, 'count_tokens');
      const explicit = ['local_alias', 'header_override'].includes(c.expect.reason);
      expect([counted.kind, counted.route]).toEqual(['count', explicit ? c.expect.route : 'remote']);
      const followed = followTask.decide(c.body, c.headers, 'count_tokens');
      expect([followed.kind, followed.route]).toEqual(['count', c.expect.route]);
      if (followed.reason === 'count_tokens') expect(followed.details.follows).toBe(c.expect.reason);
    },
  );

  it('judges the question, not the 12k tokens of system prompt and tools around it', () => {
    const decision = h.decide(mainRequest('What is NixOS?'));
    expect(decision.estimate.query).toBeLessThan(10);
    expect(decision.estimate.request).toBeGreaterThan(10_000);
    const details = decision.details;
    expect(details).toMatchObject({ client: 'claude-code', classifier: 'task', basis: 'query', basisTokens: decision.estimate.query, thresholds: { simple: 100, complex: 3000 } });
    expect(details.task).toMatchObject({ complexity: 'simple', matched: ['simple:what is'] });
    expect(details.maxTokens).toEqual({ value: 128_000, limit: 2000, rule: 'ignore-client-default', counted: false });
    expect(details.local.fits).toBe(true);
  });

  it.each([
    ['request', 'complex_query'],
    ['conversation', 'medium_query'],
    ['query', 'simple_query'],
  ])('classifier tokens: on basis %s a short first turn is %s', (basis, reason) => {
    expect(harness({ routing: { classifier: 'tokens', basis } }).decide(mainRequest('What is NixOS?')).reason).toBe(reason);
  });
});

describe('when local cannot take it', () => {
  it('an unhealthy backend sends local candidates remote, but not the remote ones differently', () => {
    const h = harness();
    h.health.healthy = false;
    expect(h.decide(mainRequest('What is NixOS?')).reason).toBe('local_unhealthy');
    expect(h.decide(titleRequest('What is NixOS?')).reason).toBe('local_unhealthy');
    expect(h.decide({ ...mainRequest('What is NixOS?'), output_config: { effort: 'max' } }).reason).toBe('high_effort');
    expect(h.decide(mainRequest('Refactor entire codebase')).reason).toBe('complex_task');
  });

  it('a disabled backend says so', () => {
    const decision = harness({ local: { enabled: false } }).decide(mainRequest('What is NixOS?'));
    expect([decision.route, decision.reason]).toEqual(['remote', 'local_disabled']);
  });

  it("with the seed's 4096-token window a Claude Code turn overflows, a title request does not", () => {
    const h = harness({ local: { contextWindow: 4096 } });
    const main = h.decide(mainRequest('What is NixOS?'));
    expect([main.route, main.reason]).toEqual(['remote', 'context_overflow']);
    expect(main.details.local).toMatchObject({ contextWindow: 4096, fits: false });
    expect(h.decide(titleRequest('What is NixOS?')).reason).toBe('background');
  });

  it('tools count towards the fit only when local.tools is always', () => {
    const body = mainRequest('What is NixOS?');
    const window = { contextWindow: 8192 };
    expect(harness({ local: { ...window, tools: 'auto' } }).decide(body).route).toBe('local');
    expect(harness({ local: { ...window, tools: 'always' } }).decide(body).reason).toBe('context_overflow');
  });

  it('a vision backend takes images', () => {
    const decision = harness({ local: { vision: true } }).decide(imageRequest('What is in this screenshot?'));
    expect([decision.route, decision.reason]).toEqual(['local', 'simple_task']);
  });
});

describe('the knobs', () => {
  it('maxTokensRule strict counts the values Claude Code always sends; off ignores every value', () => {
    expect(harness({ routing: { maxTokensRule: 'strict' } }).decide(mainRequest('What is NixOS?')).reason).toBe('max_tokens');
    expect(harness({ routing: { maxTokensRule: 'off' } }).decide(sdkRequest('Say hi.', 4096), sdkHeaders()).reason).toBe('simple_task');
  });

  it('ignore-client-default honours explicit values from Claude Code (not 32000/64000/128000)', () => {
    const h = harness();
    for (const fixed of [32_000, 64_000, 128_000]) expect(h.decide({ ...mainRequest('Hi'), max_tokens: fixed }).reason).toBe('simple_task');
    expect(h.decide({ ...mainRequest('Hi'), max_tokens: 1500 }).reason).toBe('simple_task');
    expect(h.decide({ ...mainRequest('Hi'), max_tokens: 2001 }).reason).toBe('max_tokens');
  });

  it('a Claude Code body is recognised by its billing block even without its headers', () => {
    expect(harness().decide(mainRequest('Hi'), sdkHeaders()).kind).toBe('main');
  });

  it('escalateEfforts says which efforts go remote: by default xhigh and max, not the high Claude Code always sends', () => {
    const effort = (value: string, document: Record<string, unknown> = {}) => harness(document).decide({ ...mainRequest('Hi'), output_config: { effort: value } }).reason;
    expect(['low', 'medium', 'high', 'xhigh', 'max', 'MAX'].map((value) => effort(value))).toEqual(['simple_task', 'simple_task', 'simple_task', 'high_effort', 'high_effort', 'high_effort']);
    expect(effort('high', { routing: { escalateEfforts: ['high', 'xhigh', 'max'] } })).toBe('high_effort');
    expect(effort('max', { routing: { escalateEfforts: [] } })).toBe('simple_task');
  });

  it("Haiku's fixed thinking budget is not a signal", () => {
    const haiku = { ...mainRequest('What is NixOS?', { model: 'claude-haiku-4-5-20251001' }), max_tokens: 32_000, thinking: { type: 'enabled' as const, budget_tokens: 31_999 } };
    delete (haiku as { output_config?: unknown }).output_config;
    expect(harness().decide(haiku).reason).toBe('simple_task');
  });

  it('the route header is ignored when not allowed, or when it names no route', () => {
    expect(harness({ routing: { allowHeaderOverride: false } }).decide(mainRequest('Hi'), ccHeaders(SESSION_A, { 'x-claude-proxy-route': 'remote' })).reason).toBe('simple_task');
    expect(harness().decide(mainRequest('Hi'), ccHeaders(SESSION_A, { 'x-claude-proxy-route': 'moon' })).reason).toBe('simple_task');
  });

  it('classifier tokens: thresholds move with the settings', () => {
    const h = harness({ routing: { classifier: 'tokens', simpleQueryTokens: 2, complexQueryTokens: 3 } });
    expect(h.decide(mainRequest('What is NixOS and why do people use it?')).reason).toBe('complex_query');
  });
});

describe('configured rules', () => {
  const h = harness({ routing: { rules: CORPUS_RULES } });
  it.each(ruleCorpus().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    h.clock.now = c.now;
    const decision = h.decide(c.body, c.headers, c.endpoint);
    expect({ route: decision.route, reason: decision.reason, kind: decision.kind, rule: decision.rule }).toEqual({ ...c.expect, rule: c.rule });
    if (c.rule !== null) expect(decision.details.rule).toEqual({ index: CORPUS_RULES.findIndex((r) => r.name === c.rule), name: c.rule, route: CORPUS_RULES.find((r) => r.name === c.rule)?.route });
  });

  it('a rule that hands back to the policy stops the rule list and is named in the details only', () => {
    h.clock.now = WEEKDAY_MORNING;
    const decision = h.decide(mainRequest('What is NixOS?'), ccHeaders(SESSION_A, { 'x-team': 'ml-research' }));
    expect([decision.reason, decision.rule]).toEqual(['simple_task', null]);
    expect(decision.details.rule).toEqual({ index: 2, name: 'team-header', route: 'default' });
  });

  it('the prompt is not classified when an earlier step decided', () => {
    h.clock.now = SATURDAY_MORNING;
    expect(h.decide(mainRequest('Can you Refactor the parser?')).details.task).toBeNull();
    expect(h.decide(mainRequest('What is NixOS?'), ccHeaders(SESSION_A, { 'x-claude-proxy-route': 'remote' })).details.task).toBeNull();
    expect(h.decide(mainRequest('What is NixOS?')).details.task?.complexity).toBe('simple');
  });

  it('unnamed rules are named by their index', () => {
    const decision = harness({ routing: { rules: [{ match: { kind: ['count'] }, route: 'remote' }] } }).decide(countTokensRequest(), ccHeaders(), 'count_tokens');
    expect([decision.reason, decision.rule]).toEqual(['rule', 'rules[0]']);
  });

  it('a rule does not break a pinned tool loop', () => {
    const r = harness({ routing: { rules: [{ match: {}, route: 'remote' }] } });
    const first = r.decide(mainRequest('x'), ccHeaders(), 'messages');
    r.serve({ ...first, route: 'local' }, { route: 'local', toolUseIds: ['toolu_01Pinned'] });
    expect(r.decide(toolResultRequest('x', 'toolu_01Pinned')).reason).toBe('tool_loop_pinned');
  });
});

describe('feedback exemplars', () => {
  it("a correction of a prompt with the same features decides; a different prompt is not affected", () => {
    const config = configWith();
    const probe = createRouter(config, { local: { enabled: true, healthy: () => true } });
    const features = probe.decide({ endpoint: 'messages', body: mainRequest('Rewrite the CLI in Rust'), headers: ccHeaders(), now: SATURDAY_MORNING }).details.task!.features;
    const exemplars = [{ requestId: 'req_011Fix', features, expected: 'local' as const }];
    const router = createRouter(config, { local: { enabled: true, healthy: () => true }, exemplars: () => exemplars });
    const decide = (prompt: string) => router.decide({ endpoint: 'messages', body: mainRequest(prompt), headers: ccHeaders(), now: SATURDAY_MORNING });
    const corrected = decide('Rewrite the parser in Go');
    expect([corrected.route, corrected.reason, corrected.details.exemplar]).toEqual(['local', 'feedback', { requestId: 'req_011Fix', distance: 0, expected: 'local' }]);
    expect(decide('Refactor entire codebase').reason).toBe('complex_task');
  });
});

describe('what Claude Code puts around the prompt', () => {
  it('a tool loop followed by the role:"system" turn is still a tool loop', () => {
    const h = harness();
    h.serve(h.decide(mainRequest('List the files.')), { route: 'local', toolUseIds: ['toolu_01Sys'] });
    const body = toolResultRequest('List the files.', 'toolu_01Sys');
    body.messages.push({ role: 'system', content: filler(2000, 'agents') });
    const next = h.decide(body, cc197Headers(SESSION_A, { 'x-claude-code-agent-id': 'agent-02' }));
    expect([next.kind, next.reason, next.route]).toEqual(['tool-loop', 'tool_loop_pinned', 'local']);
  });

  it('after a slash command the prompt is read without the command record', () => {
    const h = harness();
    h.serve(h.decide(mainRequest('Refactor entire codebase')));
    const body = followUpRequest('placeholder');
    body.messages[body.messages.length - 1] = {
      role: 'user',
      content: [
        { type: 'text', text: '<local-command-caveat>Caveat: the messages below came from a local command.</local-command-caveat>\n' },
        { type: 'text', text: '<command-name>/compact</command-name>\n<command-message>compact</command-message>\n<command-args></command-args>\n' },
        { type: 'text', text: '<local-command-stdout>Compacted</local-command-stdout>\n' },
        { type: 'text', text: 'Continue with the auth module' },
      ],
    };
    const next = h.decide(body);
    expect([next.reason, next.details.task?.features['size.words']]).toEqual(['task_continues', 3]);
  });
});

describe('tool loops stay where their tool calls were made', () => {
  it.each(['local', 'remote'] as const)('pinned to %s', (route) => {
    const h = harness();
    const first = h.decide(mainRequest('List the files.'));
    h.serve(first, { route, toolUseIds: ['toolu_01A', 'toolu_01B'] });
    const next = h.decide(toolResultRequest('List the files.', 'toolu_01B'));
    expect([next.route, next.reason, next.kind]).toEqual([route, 'tool_loop_pinned', 'tool-loop']);
    expect(next.details.pinned).toBe(route);
  });

  it('a loop pinned to a local backend that went down goes up', () => {
    const h = harness();
    h.serve(h.decide(mainRequest('List the files.')), { route: 'local', toolUseIds: ['toolu_01C'] });
    h.health.healthy = false;
    expect(h.decide(toolResultRequest('List the files.', 'toolu_01C')).reason).toBe('local_unhealthy');
  });
});

describe('decisions per task, not per session', () => {
  const escalate = (h: Harness, session = SESSION_A) => {
    const decision = h.decide(defaultClaudeCodeRequest('Refactor the entire codebase to use dependency injection'), cc197Headers(session));
    expect(decision.reason).toBe('complex_task');
    h.serve(decision, { session });
  };

  it.each(['yes', 'Go on', 'do it', 'Also handle the retry case', 'ok, and the tests too'])('"%s" after an escalated task continues it remotely', (prompt) => {
    const h = harness();
    escalate(h);
    const next = h.decide(followUpRequest(prompt), cc197Headers());
    expect([next.route, next.reason]).toEqual(['remote', 'task_continues']);
    expect(next.details.continues?.until).toBe(new Date(SATURDAY_MORNING.getTime() + 30 * 60_000).toISOString());
  });

  it('a new unrelated simple question after an escalated task goes local again', () => {
    const h = harness();
    escalate(h);
    expect(h.decide(followUpRequest('What is NixOS?'), cc197Headers()).reason).toBe('simple_task');
  });

  it('a continuation of a task served locally is decided on its own words', () => {
    const h = harness();
    const simple = h.decide(defaultClaudeCodeRequest('What is NixOS?'), cc197Headers());
    h.serve(simple);
    expect(h.decide(followUpRequest('yes'), cc197Headers()).reason).toBe('simple_task');
    expect(h.decide(followUpRequest('and now migrate all services to it'), cc197Headers()).reason).toBe('complex_task');
  });

  it('continuations count for routing.task.continuationMinutes, per session, and not with 0', () => {
    const h = harness();
    escalate(h);
    expect(h.decide(followUpRequest('yes'), cc197Headers(SESSION_B)).reason).toBe('simple_task');
    h.clock.now = new Date(SATURDAY_MORNING.getTime() + 31 * 60_000);
    expect(h.decide(followUpRequest('yes'), cc197Headers()).reason).toBe('simple_task');
    const off = harness({ routing: { task: { continuationMinutes: 0 } } });
    escalate(off);
    expect(off.decide(followUpRequest('yes'), cc197Headers()).reason).toBe('simple_task');
  });

  it('titles, counts and tool loops neither continue nor start a task', () => {
    const h = harness();
    escalate(h);
    expect(h.decide(titleRequest('yes')).reason).toBe('background');
    const count = h.decide(countTokensRequest(), ccHeaders(), 'count_tokens');
    expect([count.route, count.reason]).toEqual(['remote', 'count_tokens']);
    h.serve(count);
    expect(h.decide(followUpRequest('go on'), cc197Headers()).reason).toBe('task_continues');
  });

  it('only tasks that needed the remote model escalate', () => {
    const h = harness();
    h.health.healthy = false;
    h.serve(h.decide(mainRequest('Hi')));
    h.serve(h.decide(mainRequest('Hi'), ccHeaders(SESSION_A, { 'x-claude-proxy-route': 'remote' })));
    h.health.healthy = true;
    expect(h.decide(followUpRequest('yes')).reason).toBe('simple_task');
  });

  it('a task decided remote but served elsewhere does not escalate', () => {
    const h = harness();
    h.serve(h.decide(mainRequest('Refactor entire codebase')), { route: 'local' });
    expect(h.decide(followUpRequest('go on')).reason).toBe('simple_task');
  });

  it('a subagent is its own task: it neither continues nor is continued by the main conversation', () => {
    const h = harness();
    escalate(h);
    const agent = cc197Headers(SESSION_A, { 'x-claude-code-agent-id': 'agent-01' });
    const sub = h.decide(defaultClaudeCodeRequest('yes'), agent);
    expect([sub.reason, sub.details.agent]).toEqual(['simple_task', 'agent-01']);
    h.serve(sub);
    expect(h.decide(followUpRequest('go on'), cc197Headers()).reason).toBe('task_continues');
  });

  it('/compact is served where the session was working, local when nobody remembers', () => {
    const h = harness({ local: { contextWindow: 200_000 } });
    expect(h.decide(compactRequest(), cc197Headers()).reason).toBe('compact');
    expect(h.decide(compactRequest(), cc197Headers()).route).toBe('local');
    escalate(h);
    const compact = h.decide(compactRequest(), cc197Headers());
    expect([compact.route, compact.reason, compact.details.compaction]).toEqual(['remote', 'compact', true]);
    h.serve(compact);
    expect(h.decide(followUpRequest('go on'), cc197Headers()).reason).toBe('task_continues');
  });

  it('a long pasted log in a follow-up is not taken for /compact', () => {
    const log = Array.from({ length: 200 }, (_, i) => `2026-11-30 10:00:${String(i % 60).padStart(2, '0')} ERROR request ${i} failed`).join('\n');
    expect(harness().decide(followUpRequest(`Why do these fail?\n${log}`)).reason).toBe('simple_task');
  });
});
