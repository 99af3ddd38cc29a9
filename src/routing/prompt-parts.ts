/**
 * A prompt split into what the user wrote and what they pasted (code, logs, tracebacks, data):
 * the task is read from the first, and the size of the second says nothing about the task.
 */
export interface PromptParts {
  /** The user's own lines, lower-cased, at most ASKED_CHARS (the start and the end of it). */
  asked: string;
  /** Words in all of the user's own lines. */
  words: number;
  /** Numbered or bulleted lines among the user's own lines. */
  listItems: number;
  pastedLines: number;
  pastedChars: number;
}

/** The classifier reads at most this much of the user's own text: a question is at its start or its end. */
export const ASKED_CHARS = 4000;
const SYMBOLS = new Set('{}[]();=<>|&$\\/_#@*`"\'+:%^~'.split(''));
const LOG_START = /^\s*(\[?\d{4}-\d\d-\d\d|\[?\d\d:\d\d:\d\d|(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b|Traceback \(|\s*at\s+\S+\s*\(|File "|\$ |> |npm (ERR|WARN)|error(\[\w+\])?:|warning:)/;
const LIST_ITEM = /^\s*(\d{1,2}[.)]|[-*•])\s+\S/;
const FENCE = /^\s*(```|~~~)/;

/** A line that reads like code or machine output rather than a sentence. */
function isMaterial(line: string): boolean {
  if (LOG_START.test(line)) return true;
  // Indented lines are code or output, unless they are an indented list item.
  if ((line.startsWith('\t') || line.startsWith('  ')) && !LIST_ITEM.test(line)) return line.trim() !== '';
  // Sentences do not end in a brace or a semicolon; code lines do.
  const last = line.trimEnd().at(-1);
  if (last === '{' || last === '}' || last === ';') return true;
  let symbols = 0;
  let letters = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (SYMBOLS.has(ch)) symbols++;
    else if (ch !== ' ') letters++;
  }
  return symbols >= 4 && symbols * 4 > letters;
}

function countWords(line: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const space = line.charCodeAt(i) <= 32;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

export function splitPrompt(text: string): PromptParts {
  const own: string[] = [];
  let ownChars = 0;
  let words = 0;
  let listItems = 0;
  let pastedLines = 0;
  let pastedChars = 0;
  let fenced = false;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    start = end === -1 ? text.length + 1 : end + 1;
    if (FENCE.test(line)) {
      fenced = !fenced;
      pastedLines++;
      continue;
    }
    if (fenced || isMaterial(line)) {
      pastedLines++;
      pastedChars += line.length + 1;
      continue;
    }
    if (line.trim() === '') continue;
    words += countWords(line);
    if (LIST_ITEM.test(line)) listItems++;
    own.push(line);
    ownChars += line.length + 1;
  }
  let asked = own.join('\n');
  if (ownChars > ASKED_CHARS) asked = `${asked.slice(0, ASKED_CHARS / 2)}\n${asked.slice(-ASKED_CHARS / 2)}`;
  return { asked: asked.toLowerCase(), words, listItems, pastedLines, pastedChars };
}
