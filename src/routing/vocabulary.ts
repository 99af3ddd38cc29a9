import type { TaskVocabulary } from '../config/schema.js';

/** One vocabulary list compiled into one regular expression over lower-cased text. */
export interface TermMatcher {
  /** The distinct texts the terms matched, in order of appearance. */
  matches(text: string): string[];
  /** Whether a term matches at the very start of the text. */
  startsWith(text: string): boolean;
}

export type CompiledVocabulary = Readonly<Record<keyof TaskVocabulary, TermMatcher>>;

const WORD = /\w/;
/** Where an imperative starts: the text's or a sentence's start, or after a polite opener. */
const SENTENCE_START = '(?<=^|[.!?;:\\n]\\s*|(?:please|can you|could you|would you)\\s+)';
const NEVER: TermMatcher = { matches: () => [], startsWith: () => false };

/** A term as a pattern: literal, a trailing `*` for any word ending, a leading `^` for a sentence start, bounded by non-word characters where it starts or ends with a word character. */
function termPattern(term: string, wholeWords: boolean): string {
  const anchored = term.startsWith('^');
  const lower = (anchored ? term.slice(1) : term).toLowerCase();
  const stem = lower.endsWith('*');
  const body = (stem ? lower.slice(0, -1) : lower).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  if (!wholeWords) return body;
  const head = anchored ? SENTENCE_START : WORD.test(lower.charAt(0)) ? '(?<!\\w)' : '';
  const tail = stem ? '\\w*' : WORD.test(lower.charAt(lower.length - 1)) ? '(?!\\w)' : '';
  return `${head}${body}${tail}`;
}

function compileTerms(terms: readonly string[], wholeWords = true): TermMatcher {
  const unique = [...new Set(terms.map((t) => t.trim()).filter((t) => t !== ''))];
  if (unique.length === 0) return NEVER;
  // Longer terms first, so "fix this bug" wins over "fix this" where both would match at one place.
  const alternation = unique
    .sort((a, b) => b.length - a.length)
    .map((term) => termPattern(term, wholeWords))
    .join('|');
  const anywhere = new RegExp(alternation, 'g');
  const atStart = new RegExp(`^(?:${alternation})`);
  return {
    matches(text: string): string[] {
      const found: string[] = [];
      for (const match of text.matchAll(anywhere)) {
        const term = match[0].replace(/\s+/g, ' ');
        if (!found.includes(term)) found.push(term);
      }
      return found;
    },
    startsWith: (text: string) => atStart.test(text),
  };
}

/** The configured vocabulary plus the user's extra terms, compiled once (at router creation). */
export function compileVocabulary(vocabulary: TaskVocabulary, extra: TaskVocabulary): CompiledVocabulary {
  const keys = Object.keys(vocabulary) as (keyof TaskVocabulary)[];
  // Escalate keywords are distinctive words the client may glue to its own text: they match anywhere.
  return Object.fromEntries(keys.map((key) => [key, compileTerms([...vocabulary[key], ...extra[key]], key !== 'escalate')])) as Record<keyof TaskVocabulary, TermMatcher>;
}
