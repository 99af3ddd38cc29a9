import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeedbackStore } from '../../src/routing/feedback-store.js';
import { cli as runCommandLine } from '../helpers/cli.js';
import { scratchDirs } from '../helpers/scratch.js';

const cli = (args: string[], home: string) => runCommandLine(args, { HOME: home });

const scratch = scratchDirs('cap-feedback-');

/** A telemetry event as the proxy writes it, with the task classifier's verdict when `task` is given. */
function event(requestId: string, extra: Record<string, unknown>): string {
  return JSON.stringify({
    timestamp: '2026-12-01T10:00:00.000000',
    event_type: 'api_query_routed',
    source: 'claude_api_proxy',
    metadata: { routing_decision: 'remote', estimated_tokens: 900, tokens_saved: 0, model: 'claude-opus-4-8', success: true, request_id: requestId, unix_ms: 1_764_583_200_000, path: '/v1/messages', kind: 'main', decided_route: 'remote', reason: 'complex_task', ...extra },
  });
}

async function setup(logPrompts: boolean): Promise<{ home: string; config: string; state: string }> {
  const home = await scratch();
  const telemetry = join(home, 'telemetry');
  const state = join(home, 'state');
  await mkdir(telemetry);
  const config = join(home, 'config.json');
  await writeFile(config, JSON.stringify({ telemetry: { dir: telemetry, logPrompts }, state: { dir: state } }));
  await writeFile(
    join(telemetry, 'events-2026-11-30.jsonl'),
    `${event('req_old', { task: { score: 0.2, features: { 'verb.explain': 1 } } })}\nnot json at all\n`,
  );
  await writeFile(
    join(telemetry, 'events-2026-12-01.jsonl'),
    [
      event('req_features', { task: { score: 2.5, features: { 'verb.refactor': 1, 'scope.codebase': 0, 'pasted.lines': 40, bogus: 'x' } }, query_text: 'Explain this stack trace' }),
      event('req_plain', {}),
      event('req_prompt_only', { query_text: 'What is NixOS?' }),
    ].join('\n'),
  );
  return { home, config, state };
}

describe('claude-api-proxy feedback', () => {
  it('appends a correction with the event features and no prompt text, private to the user', async () => {
    const { home, config, state } = await setup(false);
    const { code, out, err } = await cli(['feedback', 'req_features', 'local', '--config', config], home);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('req_features should go local (decided remote: complex_task)');
    const file = join(state, 'feedback.jsonl');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const [line, ...rest] = (await readFile(file, 'utf8')).trim().split('\n');
    expect(rest).toEqual([]);
    const correction = JSON.parse(line ?? '') as Record<string, unknown>;
    expect(correction).toMatchObject({ requestId: 'req_features', expected: 'local', decided: 'remote', reason: 'complex_task', score: 2.5, features: { 'verb.refactor': 1, 'scope.codebase': 0, 'pasted.lines': 40 } });
    expect(correction).not.toHaveProperty('queryText');
    expect(JSON.stringify(correction)).not.toContain('stack trace');
  });

  it('stores the prompt when telemetry.logPrompts is on, finds events in older files, and a later correction replaces an earlier one', async () => {
    const { home, config, state } = await setup(true);
    expect((await cli(['feedback', 'req_prompt_only', 'local', '--config', config], home)).code).toBe(0);
    expect((await cli(['feedback', 'req_old', 'remote', '--config', config], home)).code).toBe(0);
    expect((await cli(['feedback', 'req_old', 'local', '--config', config], home)).code).toBe(0);
    const store = new FeedbackStore(state);
    await store.load();
    expect(store.exemplars.map((e) => [e.requestId, e.expected])).toEqual([
      ['req_prompt_only', 'local'],
      ['req_old', 'local'],
    ]);
    expect(store.corrections[0]).toMatchObject({ queryText: 'What is NixOS?', features: {} });
    expect(store.corrections[1]?.features).toEqual({ 'verb.explain': 1 });
  });

  it('refuses what it cannot record', async () => {
    const { home, config, state } = await setup(false);
    const missing = await cli(['feedback', 'req_nowhere', 'local', '--config', config], home);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no telemetry event with request id "req_nowhere"');
    const plain = await cli(['feedback', 'req_plain', 'local', '--config', config], home);
    expect(plain.code).toBe(1);
    expect(plain.err).toContain('carries no task features');
    // Without logPrompts the prompt is not there to learn from either.
    expect((await cli(['feedback', 'req_prompt_only', 'local', '--config', config], home)).code).toBe(1);
    expect((await cli(['feedback', 'req_features', 'sideways', '--config', config], home)).code).toBe(2);
    expect((await cli(['feedback', '--config', config], home)).code).toBe(2);
    await expect(stat(join(state, 'feedback.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('eval-routing --feedback replays stored prompts through the router and reports feature-only corrections', async () => {
    const { home, config } = await setup(true);
    await writeFile(config, JSON.stringify({ ...JSON.parse(await readFile(config, 'utf8')), routing: { rules: [{ name: 'nix', match: { queryRegex: 'NixOS' }, route: 'local' }] } }));
    expect((await cli(['feedback', 'req_prompt_only', 'local', '--config', config], home)).code).toBe(0);
    const { code, out } = await cli(['eval-routing', '--feedback', '--config', config, '--min-local-recall', '1'], home);
    expect(code, out).toBe(0);
    expect(out).toMatch(/feedback-prompt +1\.000 \(1\/1\)/);

    const withoutPrompts = await setup(false);
    expect((await cli(['feedback', 'req_features', 'local', '--config', withoutPrompts.config], withoutPrompts.home)).code).toBe(0);
    const features = await cli(['eval-routing', '--feedback', '--config', withoutPrompts.config], withoutPrompts.home);
    expect(features.code).toBe(1);
    expect(features.out).toContain('feedback-features  expected local, got remote (recorded:complex_task)  "(stored features only)"');
    const none = await setup(false);
    const empty = await cli(['eval-routing', '--feedback', '--config', none.config], none.home);
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('no corrections in');
  });
});

describe('the feedback store', () => {
  it('skips malformed lines and survives a missing file', async () => {
    const dir = await scratch();
    const empty = new FeedbackStore(join(dir, 'nowhere'));
    await empty.load();
    expect(empty.exemplars).toEqual([]);
    await writeFile(join(dir, 'feedback.jsonl'), ['{"requestId":"a","features":{"x":1},"expected":"local"}', '{"requestId":"b","expected":"remote"}', 'garbage', '{"requestId":"c","features":{},"expected":"up"}', ''].join('\n'));
    const store = new FeedbackStore(dir);
    await store.load();
    expect(store.exemplars).toEqual([expect.objectContaining({ requestId: 'a', features: { x: 1 }, expected: 'local' })]);
  });
});
