import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../src/anthropic/types.js';
import { CALIBRATION_FILE } from '../../src/routing/calibration-store.js';
import { anthropicLike, streams } from '../helpers/fake-anthropic.js';
import { eventually } from '../helpers/proxy.js';
import { countTokensRequest, filler, mainRequest, toolResultRequest } from '../fixtures/claude-code.js';
import { SESSION_A, SESSION_B, ccHeaders, followUpRequest } from '../fixtures/routing-corpus.js';
import { useGateway } from '../helpers/gateway.js';

// The router inside the running server: reason and rule headers, memory across requests (sticky
// sessions, tool-loop pins) and calibration from real usage. The local backend is disabled here,
// so every decision is served remotely by the fake Anthropic gateway.upstream.

const gateway = useGateway({ settings: {
    local: { enabled: false },
    routing: { rules: [{ name: 'opus-count-remote', match: { kind: ['count'], model: 'claude-opus-*' }, route: 'remote' }] },
  } });
afterEach(() => {
  gateway.upstream.setHandler(anthropicLike());
});

async function post(body: MessagesRequest, headers: Record<string, string>, path = '/v1/messages?beta=true') {
  const before = gateway.proxy.events.length;
  const res = await request(`${gateway.proxy.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  await res.body.text();
  const event = await eventually(() => gateway.proxy.events[before]);
  return { status: res.statusCode, reason: res.headers['x-claude-proxy-reason'], rule: res.headers['x-claude-proxy-rule'], route: res.headers['x-claude-proxy-route'], event };
}

describe('decisions in responses and telemetry', () => {
  it('the reason and rule come back as headers and land in the event', async () => {
    const got = await post(countTokensRequest(), ccHeaders(), '/v1/messages/count_tokens?beta=true');
    expect(got).toMatchObject({ status: 200, route: 'remote', reason: 'rule', rule: 'opus-count-remote' });
    expect(got.event.metadata).toMatchObject({ kind: 'count', decided_route: 'remote', reason: 'rule', rule: 'opus-count-remote' });
    expect(got.event.metadata.estimate.request).toBeGreaterThan(1000);
  });

  it('an SDK client through the official SDK is classified as other', async () => {
    const client = new Anthropic({ baseURL: gateway.proxy.url, apiKey: 'sk-ant-sdk', maxRetries: 0 });
    const before = gateway.proxy.events.length;
    await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 300, messages: [{ role: 'user', content: 'Say hi.' }] });
    const event = await eventually(() => gateway.proxy.events[before]);
    expect(event.metadata).toMatchObject({ kind: 'other', decided_route: 'remote', reason: 'local_disabled' });
  });
});

describe('memory across requests', () => {
  it("an escalated task's continuation stays remote, a new question is decided afresh; telemetry has the verdict, not the text", async () => {
    const complex = await post(mainRequest('Refactor entire codebase'), ccHeaders(SESSION_A));
    expect(complex.reason).toBe('complex_task');
    expect(complex.event.metadata.task).toMatchObject({ complexity: 'complex', score: 6, features: { 'ask.complex': 1, 'scope.wide': 2 } });
    expect(JSON.stringify(complex.event)).not.toContain('Refactor');
    expect((await post(followUpRequest('go on'), ccHeaders(SESSION_A))).reason).toBe('task_continues');
    expect((await post(followUpRequest('go on'), ccHeaders(SESSION_B))).reason).toBe('local_disabled');
    expect((await post(followUpRequest('What is NixOS?'), ccHeaders(SESSION_A))).reason).toBe('local_disabled');
  });

  it('a tool result goes back to the route that made the call', async () => {
    gateway.upstream.setHandler(anthropicLike(() => streams.toolUse()));
    const first = await post(mainRequest('List the files.'), ccHeaders(SESSION_B));
    expect(first.event.metadata.stop_reason).toBe('tool_use');
    gateway.upstream.setHandler(anthropicLike());
    const next = await post(toolResultRequest('List the files.', 'toolu_01Fake'), ccHeaders(SESSION_B));
    expect(next.event.metadata).toMatchObject({ kind: 'tool-loop', reason: 'tool_loop_pinned', decided_route: 'remote' });
    const stranger = await post(toolResultRequest('List the files.', 'toolu_01Never'), ccHeaders(SESSION_B));
    expect(stranger.reason).toBe('tool_loop_unpinned');
  });
});

describe('calibration from real counts', () => {
  it('learns from count_tokens answers and saves to the state directory', async () => {
    const tokens = 2_000;
    gateway.upstream.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_011Count' });
      res.end(JSON.stringify({ input_tokens: tokens }));
    });
    const body: MessagesRequest = { model: 'claude-haiku-5-5', messages: [{ role: 'user', content: filler(6000, 'calibrate') }] };
    const first = await post(body, ccHeaders(), '/v1/messages/count_tokens?beta=true');
    for (let i = 0; i < 9; i++) await post(body, ccHeaders(), '/v1/messages/count_tokens?beta=true');
    const last = await post(body, ccHeaders(), '/v1/messages/count_tokens?beta=true');
    const report = gateway.proxy.ctx.router.calibration().families['claude-haiku'];
    expect(report?.samples).toBe(11);
    expect(Math.abs(last.event.metadata.estimate.request - tokens)).toBeLessThan(Math.abs(first.event.metadata.estimate.request - tokens));
    await gateway.proxy.ctx.router.flush();
    const saved = JSON.parse(await readFile(join(gateway.proxy.config.state.dir, CALIBRATION_FILE), 'utf8'));
    expect(saved.families['claude-haiku'].samples).toBe(11);
  });
});
