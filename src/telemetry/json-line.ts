// The seed wrote its lines with Python's json.dumps defaults: ", " and ": " separators and
// non-ASCII escaped as \uXXXX. Lines written the same way stay byte-compatible with its readers.

function escapeNonAscii(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encode(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return value === undefined ? 'null' : escapeNonAscii(JSON.stringify(value));
  }
  if (Array.isArray(value)) return `[${value.map(encode).join(', ')}]`;
  const parts: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) parts.push(`${escapeNonAscii(JSON.stringify(key))}: ${encode(v)}`);
  }
  return `{${parts.join(', ')}}`;
}

/** One JSONL line in the seed's format, newline included. */
export function toJsonLine(value: unknown): string {
  return `${encode(value)}\n`;
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
