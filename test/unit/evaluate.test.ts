import { describe, expect, it } from 'vitest';
import { evaluate, parseEvalLine, unmetTargets, DEFAULT_TARGETS, type EvalCase } from '../../src/routing/evaluate.js';
import { createRouter } from '../../src/routing/router.js';
import { resolveConfig } from '../../src/config/load.js';

const router = () => createRouter(resolveConfig({}, { HOME: '/nonexistent' }), { local: { enabled: true, healthy: () => true } });
const clock = () => new Date(2026, 11, 1, 12, 0);

const featureCase = (expected: 'local' | 'remote', recorded?: 'local' | 'remote'): EvalCase => ({
  where: 'feedback.jsonl#1',
  endpoint: 'messages',
  body: null,
  features: { 'verb.explain': 1 },
  ...(recorded ? { recorded: { route: recorded, reason: 'complex_task' } } : {}),
  headers: {},
  expected,
  label: 'feedback-features',
  answerToolUseIds: [],
  note: '',
});

describe('evaluate', () => {
  it('decides a correction without a prompt from its features when a decider is given, else from the recorded decision', () => {
    const decided = evaluate(router(), [featureCase('local', 'remote')], { clock, decideFeatures: (f) => ({ route: f['verb.explain'] === 1 ? 'local' : 'remote', reason: 'simple_task' }) });
    expect(decided.accuracy).toEqual({ correct: 1, total: 1, value: 1 });
    const recorded = evaluate(router(), [featureCase('local', 'remote')], { clock });
    expect(recorded.misses).toEqual([{ where: 'feedback.jsonl#1', label: 'feedback-features', expected: 'local', got: 'remote', reason: 'recorded:complex_task', prompt: '(stored features only)' }]);
  });

  it('meets a target that has nothing to count, and names the ones it misses', () => {
    const report = evaluate(router(), [featureCase('local', 'remote')], { clock });
    expect(report.recall.remote).toEqual({ correct: 0, total: 0, value: null });
    expect(unmetTargets(report, DEFAULT_TARGETS)).toEqual(['local recall 0.000 is below 0.9']);
  });

  it('reads a count as count_tokens and defaults the optional fields', () => {
    const c = parseEvalLine('{"body":{"model":"m","messages":[{"role":"user","content":"hi"}]},"expected":"remote","label":"count"}', 'f:3');
    expect(c).toMatchObject({ where: 'f:3', endpoint: 'count_tokens', headers: {}, answerToolUseIds: [], note: '' });
    expect(parseEvalLine('   ', 'f:4')).toBeNull();
    expect(() => parseEvalLine('{"body":{"model":"m","messages":[]},"expected":"local","headers":{"x":1}}', 'f:5')).toThrow('f:5: headers.x: expected a string');
  });
});
