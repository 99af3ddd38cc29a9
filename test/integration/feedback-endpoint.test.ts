import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../src/anthropic/types.js';
import { FEEDBACK_FILE } from '../../src/routing/feedback-store.js';
import { countTokensRequest, mainRequest } from '../fixtures/claude-code.js';
import { fakeLocalBackend } from '../fixtures/fake-local-backend.js';
import { SESSION_A, SESSION_B, ccHeaders } from '../fixtures/routing-corpus.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/proxy.js';
import { expectEnvelope } from '../hostile/wire.js';

// POST /feedback on the running proxy: the correction goes to the store the router consults.
const gateway = useGateway({ settings: { local: { contextWindow: 65_536 } }, ctx: { local: fakeLocalBackend({ usage: { input: 300, output: 50 } }) } });

async function send(body: MessagesRequest, session: string, path = '/v1/messages?beta=true') {
  const before = gateway.proxy.events.length;
  const res = await request(`${gateway.proxy.url}${path}`, { method: 'POST', headers: ccHeaders(session), body: JSON.stringify(body) });
  await res.body.text();
  const event = await eventually(() => gateway.proxy.events[before]);
  return { route: res.headers['x-claude-proxy-route'], reason: res.headers['x-claude-proxy-reason'], id: event.metadata.request_id };
}

async function correct(body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${gateway.proxy.url}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

const storedIds = async (): Promise<string[]> => {
  const text = await readFile(join(gateway.proxy.config.state.dir, FEEDBACK_FILE), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { requestId: string }).requestId);
};

describe('POST /feedback', () => {
  it('a correction decides the next prompt with the same features at once, without a restart', async () => {
    const first = await send(mainRequest('Refactor entire codebase'), SESSION_A);
    expect(first).toMatchObject({ route: 'remote', reason: 'complex_task' });
    const answer = await correct({ request_id: first.id, expected: 'local' });
    expect(answer.status, answer.text).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ recorded: { request_id: first.id, expected: 'local', decided: 'remote', reason: 'complex_task' } });
    expect(await storedIds()).toContain(first.id);
    expect(await send(mainRequest('Refactor entire codebase'), SESSION_B)).toMatchObject({ route: 'local', reason: 'feedback' });
  });

  it('finds a request that is no longer in memory in the telemetry files', async () => {
    const dir = gateway.proxy.config.telemetry.dir;
    await mkdir(dir, { recursive: true });
    const metadata = { request_id: 'req_from_file', routing_decision: 'local', decided_route: 'local', reason: 'simple_task', task: { complexity: 'simple', score: 0, features: { 'ask.simple': 1 } } };
    await writeFile(join(dir, 'events-2026-01-02.jsonl'), `${JSON.stringify({ timestamp: '2026-01-02T10:00:00.000000', event_type: 'api_query_routed', source: 'claude_api_proxy', metadata })}\n`);
    const answer = await correct({ request_id: 'req_from_file', expected: 'remote' });
    expect(answer.status, answer.text).toBe(200);
    expect(await storedIds()).toContain('req_from_file');
  });

  it('refuses bad input with 400 and an unknown id with 404, in the envelope, storing nothing', async () => {
    const count = await send(countTokensRequest(), SESSION_A, '/v1/messages/count_tokens?beta=true');
    const before = await storedIds();
    for (const body of ['not json', [], { expected: 'local' }, { request_id: count.id, expected: 'sideways' }, { request_id: 'x'.repeat(500), expected: 'local' }, { request_id: count.id, expected: 'local' }]) {
      const { status, text } = await correct(body);
      expect(expectEnvelope(status, text, 400).type, JSON.stringify(body)).toBe('invalid_request_error');
    }
    const unknown = await correct({ request_id: 'req_nowhere', expected: 'local' });
    expect(expectEnvelope(unknown.status, unknown.text, 404).type).toBe('not_found_error');
    expect(await storedIds()).toEqual(before);
  });

  it('refuses a page of another site, and serves the dashboard (same origin)', async () => {
    const first = await send(mainRequest('Design distributed system architecture'), SESSION_A);
    const before = await storedIds();
    const evil = await correct({ request_id: first.id, expected: 'local' }, { origin: 'http://evil.example' });
    expect(expectEnvelope(evil.status, evil.text, 403).type).toBe('permission_error');
    const rebound = await correct({ request_id: first.id, expected: 'local' }, { origin: 'http://evil.example:80', host: 'evil.example:80' });
    expect(expectEnvelope(rebound.status, rebound.text, 403).type).toBe('permission_error');
    const noOrigin = await correct({ request_id: first.id, expected: 'local' }, { 'sec-fetch-site': 'cross-site' });
    expect(expectEnvelope(noOrigin.status, noOrigin.text, 403).type).toBe('permission_error');
    // A form of another page can post text/plain only; that is not JSON.
    const form = await request(`${gateway.proxy.url}/feedback`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ request_id: first.id, expected: 'local' }) });
    expect(form.statusCode).toBeGreaterThanOrEqual(400);
    await form.body.dump();
    expect(await storedIds()).toEqual(before);
    const own = await correct({ request_id: first.id, expected: 'local' }, { origin: gateway.proxy.url });
    expect(own.status, own.text).toBe(200);
  });
});
