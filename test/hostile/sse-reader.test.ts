import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SseReader, type SseRecord } from '../../src/anthropic/sse-reader.js';

const lineText = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[\r\n]/.test(s));

interface Item {
  comment: string | null;
  event: string | null;
  data: string[];
}

const item: fc.Arbitrary<Item> = fc.record({
  comment: fc.option(lineText),
  event: fc.option(lineText),
  data: fc.array(lineText, { minLength: 1, maxLength: 3 }),
});

function serialize(items: Item[], eol: string): Buffer {
  let text = '';
  for (const it of items) {
    if (it.comment !== null) text += `:${it.comment}${eol}`;
    if (it.event !== null) text += `event: ${it.event}${eol}`;
    for (const d of it.data) text += `data: ${d}${eol}`;
    text += eol;
  }
  return Buffer.from(text, 'utf8');
}

const expected = (items: Item[]): SseRecord[] => items.map((it) => ({ event: it.event || 'message', data: it.data.join('\n') }));

/** Cuts bytes at the given offsets, anywhere, including inside multi-byte characters and CRLF pairs. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    parts.push(bytes.subarray(last, p));
    last = p;
  }
  parts.push(bytes.subarray(last));
  return parts;
}

function read(parts: readonly Uint8Array[]): SseRecord[] {
  const records: SseRecord[] = [];
  const reader = new SseReader((r) => records.push(r));
  for (const p of parts) reader.push(p);
  reader.end();
  return records;
}

describe('SseReader', () => {
  it('any chunking of a valid stream yields the same records, for LF, CRLF and CR line ends (property)', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat(), { maxLength: 20 }), (items, eol, offsets) => {
        const bytes = serialize(items, eol);
        expect(read(cut(bytes, offsets))).toEqual(expected(items));
      }),
      { numRuns: 1000 },
    );
  });

  it('one byte at a time gives what one chunk gives, for arbitrary bytes; it never throws (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 10 }), (raw, offsets) => {
        const bytes = Buffer.from(raw);
        const whole = read([bytes]);
        expect(read(cut(bytes, offsets))).toEqual(whole);
        expect(read([...bytes].map((b) => Uint8Array.of(b)))).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it('an event without its closing blank line is not delivered', () => {
    expect(read([Buffer.from('event: message_stop\ndata: {"type":"message_stop"}\n')])).toEqual([]);
    expect(read([Buffer.from('data: a\n\ndata: b')])).toEqual([{ event: 'message', data: 'a' }]);
  });
});
