import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { createTaskClassifier, featureDistance } from '../../src/routing/task.js';
import { splitPrompt } from '../../src/routing/prompt-parts.js';
import { LABELLED_PROMPTS } from '../fixtures/routing-corpus.js';

const HOME = '/home/task-test';
const classifierWith = (task: Record<string, unknown> = {}) => createTaskClassifier(resolveConfig({ routing: { task } }, { HOME }).routing.task);
const defaults = classifierWith();
/** Where the default policy sends a verdict: complex remote, simple and unsure (routing.task.unsure) local. */
const routeOf = (prompt: string) => (defaults.classify(prompt).complexity === 'complex' ? 'remote' : 'local');

describe('the task classifier on our labelled prompts', () => {
  const simple = LABELLED_PROMPTS.filter((p) => p.label === 'simple');
  const complex = LABELLED_PROMPTS.filter((p) => p.label === 'complex');

  it('has enough varied prompts of both kinds to mean something', () => {
    expect(LABELLED_PROMPTS.length).toBeGreaterThanOrEqual(60);
    expect(Math.min(simple.length, complex.length)).toBeGreaterThanOrEqual(25);
  });

  it('keeps at least 95 % of complex tasks remote and serves at least 90 % of simple ones locally', () => {
    const complexRemote = complex.filter((p) => routeOf(p.prompt) === 'remote').length / complex.length;
    const simpleLocal = simple.filter((p) => routeOf(p.prompt) === 'local').length / simple.length;
    expect(complexRemote).toBeGreaterThanOrEqual(0.95);
    expect(simpleLocal).toBeGreaterThanOrEqual(0.9);
  });

  it.each([
    ['What is NixOS?', 'local'],
    ['List files in current directory', 'local'],
    ['Show git status', 'local'],
    ['Explain this code block', 'local'],
    ['Review this function', 'local'],
    ['Fix this bug', 'local'],
    ['Refactor entire codebase', 'remote'],
    ['Design distributed system architecture', 'remote'],
    ['Multi-file analysis of the request handlers', 'remote'],
  ])("the seed's example %j goes %s", (prompt, route) => {
    expect(routeOf(prompt)).toBe(route);
  });
});

describe('what the verdict is made of', () => {
  it('names the features and the vocabulary entries that matched', () => {
    const verdict = defaults.classify('Refactor the entire codebase, then update the docs');
    expect(verdict).toMatchObject({ complexity: 'complex', features: { 'ask.complex': 1, 'scope.wide': 2, 'steps.words': 1 } });
    expect(verdict.matched).toEqual(['complex:refactor', 'wide:entire', 'wide:codebase', 'steps:then']);
  });

  it('pasted material does not count as complexity: a 100 kB log with a short question is simple', () => {
    const log = Array.from({ length: 2000 }, (_, i) => `2026-11-30 12:00:${String(i % 60).padStart(2, '0')} ERROR refactor the whole architecture across all services failed ${i}`).join('\n');
    const verdict = defaults.classify(`Which request failed first?\n${log}`);
    expect(verdict.complexity).toBe('simple');
    expect(verdict.features['size.pastedLines']).toBe(11);
    expect(verdict.matched).toEqual(['simple:which']);
  });

  it('code in fences and indented code is pasted material', () => {
    const parts = splitPrompt('What does this print?\n```\nconsole.log("refactor the entire codebase")\n```\n    const x = 1;\nThanks');
    expect(parts).toMatchObject({ asked: 'what does this print?\nthanks', pastedLines: 4, words: 5 });
  });

  it('a sentence with quoted names and paths is the user\'s own text', () => {
    const parts = splitPrompt('Rename "foo_bar" to "fooBar" in src/a_b.ts: all usages');
    expect(parts).toMatchObject({ pastedLines: 0, words: 8 });
  });

  it('unindented code is pasted material too: lines ending in a brace or a semicolon', () => {
    const parts = splitPrompt('Review this function\nfunction total(items) {\nlet sum = 0;\nreturn sum;\n}');
    expect(parts).toMatchObject({ asked: 'review this function', pastedLines: 4, words: 3 });
  });

  it('a numbered plan of several steps raises the score', () => {
    const one = defaults.classify('Add a flag for the cache size');
    const plan = defaults.classify('1. Add a flag for the cache size\n2. Pass it to the server\n3. Test eviction\n4. Document it');
    expect(plan.features['steps.items']).toBe(4);
    expect(plan.score - one.score).toBe(2.25);
    expect(plan.complexity).toBe('complex');
  });

  it('a short prompt that starts like a continuation is marked as one, a long one is not', () => {
    expect(defaults.classify('go on').features.continuation).toBe(1);
    expect(defaults.classify('Also handle the timeout case').features.continuation).toBe(1);
    expect(defaults.classify('Also, here is a completely different question about the way our team writes release notes for customers').features.continuation).toBe(0);
    expect(defaults.classify('What is NixOS?').features.continuation).toBe(0);
  });

  it('terms match whole words, stems with *, and ^ terms only where a sentence starts', () => {
    expect(defaults.classify('The refactoring went fine, thanks').matched).toContain('complex:refactoring');
    expect(defaults.classify('Prefactorial').matched).toEqual([]);
    expect(defaults.classify('show the config').matched).toContain('simple:show');
    expect(defaults.classify('Can you show the config').matched).toContain('simple:show');
    expect(defaults.classify('the races that show up in CI').matched).not.toContain('simple:show');
  });

  it('question words ask a simple question only where a sentence starts', () => {
    expect(defaults.classify('Where is the logger configured?').matched).toContain('simple:where');
    expect(defaults.classify('Refactor the module where the config is loaded').complexity).toBe('complex');
    expect(defaults.classify('Upgrade what is outdated across all services').matched).not.toContain('simple:what is');
    expect(defaults.classify('Implement a print preview for every document type').complexity).toBe('complex');
  });

  it('ultrathink is found by keyword, in any case, even glued to other text', () => {
    expect(defaults.escalates('please UltraThink about this')).toBe('ultrathink');
    expect(defaults.escalates('the user asked:ultrathinkplease')).toBe('ultrathink');
    expect(defaults.escalates('think about this')).toBeNull();
  });
});

describe('the vocabulary is configuration', () => {
  it('extraVocabulary adds terms and keeps the defaults', () => {
    const c = classifierWith({ extraVocabulary: { complex: ['terraform plan'], wideScope: ['fleet'] } });
    expect(c.classify('Write a terraform plan for the fleet').complexity).toBe('complex');
    expect(c.classify('Refactor entire codebase').complexity).toBe('complex');
    expect(defaults.classify('Write a terraform plan for the fleet').complexity).not.toBe('complex');
  });

  it('a vocabulary list replaces its default', () => {
    const c = classifierWith({ vocabulary: { complex: ['frobnicate'] } });
    expect(c.classify('Frobnicate the widget').matched).toEqual(['complex:frobnicate']);
    expect(c.classify('Refactor the widget').matched).toEqual([]);
  });

  it('the thresholds and the unsure band are settings', () => {
    const strict = classifierWith({ complexFrom: 1, simpleBelow: -1 });
    expect(strict.classify('Analyze this log').complexity).toBe('complex');
    expect(strict.classify('Hi there').complexity).toBe('unsure');
  });
});

describe('feedback exemplars', () => {
  it('the nearest exemplar within routing.task.exemplarDistance is found, a far one is not', () => {
    const features = defaults.classify('Rewrite the CLI in Rust').features;
    const near = { requestId: 'req_near', features: { ...features }, expected: 'local' as const };
    const far = { requestId: 'req_far', features: { ...features, 'ask.complex': 3, 'scope.wide': 2 }, expected: 'local' as const };
    expect(defaults.nearest(features, [far, near])).toEqual({ exemplar: near, distance: 0 });
    expect(defaults.nearest(features, [far])).toBeNull();
    expect(featureDistance({ a: 1 }, { b: 1 })).toBeCloseTo(Math.SQRT2);
  });
});
