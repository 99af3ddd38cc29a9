// The seed wrote its lines with Python's json.dumps defaults: ", " and ": " separators and
// non-ASCII escaped as \uXXXX. Lines written the same way stay byte-compatible with its readers.

const NON_ASCII = /[\u0080-\uffff]/g;
const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;

/**
 * One JSONL line in the seed's format, newline included. JSON.stringify does the encoding; one scan
 * adds the separators' spaces outside strings, and non-ASCII (only ever inside strings) is escaped.
 */
export function toJsonLine(value: unknown): string {
  const json = JSON.stringify(value);
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === COLON || c === COMMA) {
      out += json.slice(from, i + 1) + ' ';
      from = i + 1;
    }
  }
  out += json.slice(from);
  NON_ASCII.lastIndex = 0;
  if (NON_ASCII.test(out)) out = out.replace(NON_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${out}\n`;
}

/** Python's datetime.now().isoformat(): local time, no offset, microseconds. */
export function seedTimestamp(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}` +
    `T${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.${p(date.getMilliseconds(), 3)}000`
  );
}

/** The local date used in the daily file name, as the seed did. */
export function localDate(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`;
}
