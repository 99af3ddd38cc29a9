import type { ValueError } from '@sinclair/typebox/value';

interface SchemaNode {
  anyOf?: SchemaNode[];
  const?: unknown;
  type?: string;
  pattern?: string;
  properties?: Record<string, unknown>;
}

/** Edit distance, for "did you mean" (setting names are short). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** The known name closest to a misspelled one, when it is close enough to be what was meant. */
export function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

// The schema's patterns, in words (a regex means nothing to most readers).
function patternInWords(pattern: string): string {
  if (pattern.startsWith('^https?:')) return 'an http:// or https:// URL';
  if (pattern.includes('[0-5]\\d$')) return 'a time of day as HH:MM';
  return 'a value in the documented format';
}

const MESSAGE_WORDS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Expected (?:integer|number) to be (?:less|greater) or equal to (-?[\d.]+)$/, (m) => `${m[0].includes('less') ? 'at most' : 'at least'} ${m[1]}`],
  [/^Expected (?:integer|number) to be (less|greater) than (-?[\d.]+)$/, (m) => `${m[1]} than ${m[2]}`],
  [/^Expected string length greater or equal to 1$/, () => 'a non-empty text'],
  [/^Expected string length greater or equal to (\d+)$/, (m) => `a text of at least ${m[1]} characters`],
  [/^Expected array length greater or equal to (\d+)$/, (m) => `a list of at least ${m[1]} entries`],
  [/^Expected integer$/, () => 'a whole number'],
  [/^Expected number$/, () => 'a number'],
  [/^Expected string$/, () => 'a text'],
  [/^Expected boolean$/, () => 'true or false'],
  [/^Expected array$/, () => 'a list'],
  [/^Expected object$/, () => 'a mapping of settings'],
];

/** What a schema error expected, in words: the allowed values, a suggestion for a misspelled key. */
export function expectation(error: ValueError, key: string): string {
  const schema = error.schema as SchemaNode;
  if (error.message === 'Unexpected property') {
    const known = Object.keys(schema.properties ?? {});
    const suggestion = closest(key, known);
    return suggestion ? `no such setting; did you mean "${suggestion}"?` : `no such setting (known here: ${known.join(', ')})`;
  }
  const literals = schema.anyOf?.map((s) => s.const).filter((c) => c !== undefined);
  if (literals && literals.length > 0) return `one of ${literals.map((l) => JSON.stringify(l)).join(', ')}`;
  if (schema.anyOf?.some((s) => s.type === 'null')) return 'a file path, or null for none';
  if (schema.pattern !== undefined) return patternInWords(schema.pattern);
  for (const [pattern, words] of MESSAGE_WORDS) {
    const match = pattern.exec(error.message);
    if (match) return words(match);
  }
  return error.message.replace(/^Expected /, '');
}
