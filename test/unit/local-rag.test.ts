import { describe, expect, it } from 'vitest';
import { formatContext } from '../../src/rag/context.js';

const hits = [
  { title: 'Flakes', path: 'docs/flakes.md', content: 'Pin inputs in flake.lock.' },
  { title: null, path: null, content: 'x'.repeat(500) },
  { title: 'Never', path: 'late.md', content: 'Cut before this one.' },
];

describe('the retrieved-context block', () => {
  it('labels each hit and stays within maxChars, cutting the later hits first', () => {
    const text = formatContext(hits, 400)!;
    expect(text.length).toBeLessThanOrEqual(400);
    expect(text).toContain('[1] Flakes — docs/flakes.md\nPin inputs in flake.lock.');
    expect(text).toContain('[2]\nxxx');
    expect(text.endsWith('…')).toBe(true);
    expect(text).not.toContain('Never');
  });

  it('is null when nothing fits or nothing was found', () => {
    expect(formatContext(hits, 50)).toBeNull();
    expect(formatContext([], 4000)).toBeNull();
  });
});
