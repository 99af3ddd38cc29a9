import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskVocabulary } from '../../src/config/schema.js';
import { compileVocabulary } from '../../src/routing/vocabulary.js';

const EMPTY: TaskVocabulary = { simple: [], complex: [], narrowScope: [], wideScope: [], steps: [], continuation: [], escalate: [] };

/** One list compiled as the classifier compiles it; `escalate` is the list whose terms match anywhere. */
function compiled(terms: string[], list: 'simple' | 'escalate' = 'simple') {
  return compileVocabulary({ ...EMPTY, [list]: terms }, EMPTY)[list];
}

/** A term on its own, as docs/routing.md states the rules: whole words, `*` a word ending, `^` a sentence start. */
function termRegExp(term: string, wholeWords: boolean): RegExp {
  const anchored = term.startsWith('^');
  const lower = (anchored ? term.slice(1) : term).toLowerCase();
  const stem = lower.endsWith('*');
  const body = (stem ? lower.slice(0, -1) : lower).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  if (!wholeWords) return new RegExp(body, 'y');
  const head = anchored ? '(?<=^|[.!?;:\\n]\\s*|(?:please|can you|could you|would you)\\s+)' : /^\w/.test(lower) ? '(?<!\\w)' : '';
  const tail = stem ? '\\w*' : /\w$/.test(lower) ? '(?!\\w)' : '';
  return new RegExp(`${head}${body}${tail}`, 'y');
}

/** What a list matches, found the slow way: from the left, at each place the longest term that matches there. */
function expectedMatches(terms: string[], text: string, wholeWords: boolean): string[] {
  const unique = [...new Set(terms.map((t) => t.trim()).filter((t) => t !== ''))].sort((a, b) => b.length - a.length);
  const patterns = unique.map((term) => termRegExp(term, wholeWords));
  const found: string[] = [];
  for (let at = 0; at < text.length; ) {
    let matched: string | null = null;
    for (const pattern of patterns) {
      pattern.lastIndex = at;
      const match = pattern.exec(text);
      if (match) {
        matched = match[0];
        break;
      }
    }
    if (matched === null) {
      at++;
      continue;
    }
    const term = matched.replace(/\s+/g, ' ');
    if (!found.includes(term)) found.push(term);
    at += matched.length;
  }
  return found;
}

/** Terms that overlap in every way a vocabulary can: prefixes of each other, stems, sentence starts, punctuation. */
const TERMS = ['^fix', 'fix', 'fix this', 'fix this bug', 'fix*', '^fix the', 'the', 'the bug*', '^what is', 'what', 'what is this', 'is', 'is it*', 'no,', 'next,', '^run', 'run the tests', 'a', 'a-b', '-b', 'c.d', 'e?', 'x  y z', '^x'];
const WORDS = ['fix the', 'fix this bug', 'what is this', 'run the tests', 'is it', 'fix', 'this', 'bug', 'bugs', 'the', 'what', 'is', 'it', 'its', 'no', 'next', 'please', 'can you', 'run', 'tests', 'a', 'a-b', '-b', 'c.d', 'e', 'x', 'y', 'z', 'fixes', 'refix', ',', '.', '?', '!', ';', ':'];
const SEPARATORS = [' ', '  ', '', '\n', '\t', '. ', ', ', '? '];
const text = fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPARATORS)), { maxLength: 24 }).map((parts) => parts.map(([w, s]) => w + s).join(''));
const terms = fc.subarray(TERMS, { minLength: 1 }).chain((picked) => fc.shuffledSubarray(picked, { minLength: picked.length }));

describe('a vocabulary list compiled into one expression', () => {
  it('matches what trying each term in turn, longest first, matches', () => {
    fc.assert(
      fc.property(terms, text, (list, prompt) => {
        expect(compiled(list).matches(prompt)).toEqual(expectedMatches(list, prompt, true));
        expect(compiled(list, 'escalate').matches(prompt)).toEqual(expectedMatches(list, prompt, false));
      }),
      { numRuns: 2000 },
    );
  });

  it('starts a text exactly where one of its terms matches at the start', () => {
    fc.assert(
      fc.property(terms, text, (list, prompt) => {
        const atStart = list.some((term) => {
          const pattern = termRegExp(term.trim(), true);
          pattern.lastIndex = 0;
          return pattern.test(prompt);
        });
        expect(compiled(list).startsWith(prompt)).toBe(atStart);
      }),
      { numRuns: 1000 },
    );
  });

  it('a shorter term that overlaps a longer one of another kind still loses to it', () => {
    // "fix" is a whole word like "what is this", which comes first; "^fix the", a sentence start, sits
    // between them in length and can match where "fix" does: "fix" must not be tried before it.
    const list = compiled(['fix', 'what is this', '^fix the']);
    expect(list.matches('fix the bug')).toEqual(['fix the']);
    expect(list.matches('to fix the bug, what is this')).toEqual(['fix', 'what is this']);
  });
});
