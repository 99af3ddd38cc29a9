import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { ConfigError, resolveConfig } from '../../src/config/load.js';
import { compileRules, firstMatch, type RuleFacts } from '../../src/routing/rule-match.js';
import { globToRegExp } from '../../src/shared/regex.js';
import type { RoutingRule } from '../../src/config/schema.js';

const facts = (over: Partial<RuleFacts> = {}): RuleFacts => ({
  model: 'claude-opus-5-5',
  kind: over.kind ?? 'main',
  messageKind: over.kind ?? 'main',
  estimate: { query: 10, conversation: 1000, request: 12_000 },
  tools: true,
  images: false,
  thinking: true,
  query: 'What is NixOS?',
  headers: {},
  now: new Date(2026, 10, 24, 10, 30),
  ...over,
});

const matches = (match: RoutingRule['match'], over: Partial<RuleFacts> = {}) => compileRules([{ match, route: 'remote' }])[0]!.matches(facts(over));

describe('rule conditions', () => {
  it('globs match the whole value, with * and ? only', () => {
    expect(globToRegExp('claude-*').test('claude-opus-5-5')).toBe(true);
    expect(globToRegExp('claude-?pus-5-5').test('claude-opus-5-5')).toBe(true);
    expect(globToRegExp('opus').test('claude-opus-5-5')).toBe(false);
    expect(globToRegExp('local/qwen.coder').test('local/qwen-coder')).toBe(false);
    expect(globToRegExp('a+b(c)').test('a+b(c)')).toBe(true);
  });

  it('every condition must hold', () => {
    expect(matches({})).toBe(true);
    expect(matches({ model: 'claude-opus-*', kind: ['main', 'other'] })).toBe(true);
    expect(matches({ model: 'claude-opus-*', kind: ['background'] })).toBe(false);
  });

  it('a kind condition on a message kind also matches counts of such messages', () => {
    expect(matches({ kind: ['main'] }, { kind: 'count', messageKind: 'main' })).toBe(true);
    expect(matches({ kind: ['count'] }, { kind: 'count', messageKind: 'main' })).toBe(true);
    expect(matches({ kind: ['count'] }, { kind: 'main', messageKind: 'main' })).toBe(false);
  });

  it('token ranges are inclusive, on each basis', () => {
    expect(matches({ queryTokens: { min: 10, max: 10 } })).toBe(true);
    expect(matches({ queryTokens: { min: 11 } })).toBe(false);
    expect(matches({ conversationTokens: { max: 999 } })).toBe(false);
    expect(matches({ requestTokens: { min: 12_000 } })).toBe(true);
  });

  it('tools, images and thinking flags', () => {
    expect(matches({ tools: true, images: false, thinking: true })).toBe(true);
    expect(matches({ images: true })).toBe(false);
    expect(matches({ thinking: false })).toBe(false);
  });

  it('the query regex ignores case', () => {
    expect(matches({ queryRegex: '^what is' })).toBe(true);
    expect(matches({ queryRegex: 'refactor' })).toBe(false);
  });

  it('header names ignore case, values are globs', () => {
    expect(matches({ headers: { 'X-Team': 'ml-*' } }, { headers: { 'x-team': 'ml-research' } })).toBe(true);
    expect(matches({ headers: { 'x-team': 'ml-*' } }, { headers: { 'x-team': 'web' } })).toBe(false);
    expect(matches({ headers: { 'x-team': '*' } }, { headers: {} })).toBe(false);
  });

  it.each([
    ['09:00', '17:00', undefined, new Date(2026, 10, 24, 9, 0), true],
    ['09:00', '17:00', undefined, new Date(2026, 10, 24, 17, 0), false],
    ['09:00', '17:00', [1, 2, 3, 4, 5], new Date(2026, 10, 28, 10, 0), false],
    ['22:00', '06:00', undefined, new Date(2026, 10, 24, 23, 30), true],
    ['22:00', '06:00', undefined, new Date(2026, 10, 24, 5, 59), true],
    ['22:00', '06:00', undefined, new Date(2026, 10, 24, 12, 0), false],
  ] as const)('time window %s-%s days %j at %s: %s', (from, to, days, now, expected) => {
    expect(matches({ time: { from, to, ...(days ? { days: [...days] } : {}) } }, { now })).toBe(expected);
  });

  it('the first matching rule wins', () => {
    const rules = compileRules([
      { name: 'a', match: { kind: ['background'] }, route: 'local' },
      { match: { model: 'claude-*' }, route: 'default' },
      { name: 'c', match: {}, route: 'remote' },
    ]);
    expect(firstMatch(rules, facts())?.name).toBe('rules[1]');
    expect(firstMatch(rules, facts({ kind: 'background' }))?.name).toBe('a');
    expect(firstMatch(rules, facts({ model: 'gpt' }))?.name).toBe('c');
  });
});

function problems(rules: unknown[]): string[] {
  try {
    resolveConfig({ routing: { rules } }, { HOME: '/home/rules-test' });
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('invalid rules name the rule and the field', () => {
  it.each<[string, unknown[], string]>([
    ['a regex that does not compile', [{ match: {}, route: 'local' }, { match: { queryRegex: '(unclosed' }, route: 'remote' }], 'routing.rules[1].match.queryRegex'],
    ['a range whose min is above its max', [{ match: { queryTokens: { min: 500, max: 100 } }, route: 'local' }], 'routing.rules[0].match.queryTokens'],
    ['an empty time window', [{ match: { time: { from: '09:00', to: '09:00' } }, route: 'local' }], 'routing.rules[0].match.time'],
    ['a bad time', [{ match: { time: { from: '9am', to: '17:00' } }, route: 'local' }], 'routing.rules[0].match.time.from'],
    ['an unknown route', [{ match: {}, route: 'cloud' }], 'routing.rules[0].route'],
    ['an unknown kind', [{ match: { kind: ['chat'] }, route: 'local' }], 'routing.rules[0].match.kind[0]'],
    ['a misspelt condition', [{ match: { modle: 'claude-*' }, route: 'local' }], 'routing.rules[0].match.modle'],
    ['a header name with a space', [{ match: { headers: { 'x team': 'a' } }, route: 'local' }], 'routing.rules[0].match.headers'],
    ['a negative token bound', [{ match: { requestTokens: { min: -1 } }, route: 'local' }], 'routing.rules[0].match.requestTokens.min'],
  ])('%s', (_name, rules, path) => {
    const found = problems(rules);
    expect(found.some((line) => line.includes(`${path}:`))).toBe(true);
  });

  it('valid rules pass', () => {
    expect(problems([{ name: 'ok', match: { model: 'claude-haiku-*', queryRegex: '\\bfix\\b', time: { from: '22:00', to: '06:00' } }, route: 'local' }])).toEqual([]);
  });
});

describe('check-config on a file with a bad rule', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cap-rules-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 and names the rule index and field', async () => {
    const file = join(dir, 'config.yaml');
    await writeFile(file, ['routing:', '  rules:', '    - match: { model: "claude-*" }', '      route: remote', '    - match: { queryRegex: "([a-z" }', '      route: local', ''].join('\n'));
    const { code, err } = await cli(['check-config', file], { HOME: dir });
    expect(code).toBe(2);
    expect(err).toContain('routing.rules[1].match.queryRegex');
    expect(err).toContain('a valid regular expression');
  });
});
