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

function read(parts: readonly Uint8Array[], maxEventBytes?: number): SseRecord[] {
  const records: SseRecord[] = [];
  const reader = new SseReader((r) => records.push(r), { maxEventBytes });
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

  it('events within the limit read as without one; the first event beyond it stops the reader, in any chunking (property)', () => {
    /** The most an event holds at once: what it read so far plus the line being read. */
    function cost(it: Item): number {
      const bytes = (text: string) => Buffer.byteLength(text);
      let held = 0;
      let peak = it.comment === null ? 0 : bytes(`:${it.comment}`);
      if (it.event !== null) {
        peak = Math.max(peak, bytes(`event: ${it.event}`));
        held += bytes(it.event);
      }
      for (const d of it.data) {
        peak = Math.max(peak, held + bytes(`data: ${d}`));
        held += bytes(d) + 1;
      }
      return peak;
    }
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 1, max: 80 }), (items, offsets, limit) => {
        const firstTooLarge = items.findIndex((it) => cost(it) > limit);
        const within = firstTooLarge === -1 ? items : items.slice(0, firstTooLarge);
        expect(read(cut(serialize(items, '\n'), offsets), limit)).toEqual(expected(within));
      }),
      { numRuns: 500 },
    );
  });

  it('an endless line calls onOverflow once and the reader keeps nothing after it', () => {
    let overflows = 0;
    const records: SseRecord[] = [];
    const reader = new SseReader((r) => records.push(r), { maxEventBytes: 1024, onOverflow: () => overflows++ });
    reader.push('data: a\n\n');
    const pad = Buffer.alloc(100, 'x');
    reader.push('data: ');
    for (let i = 0; i < 50; i++) reader.push(pad);
    reader.push('\n\ndata: b\n\n');
    reader.end();
    expect(overflows).toBe(1);
    expect(records).toEqual([{ event: 'message', data: 'a' }]);
  });

  it('many data lines of one event count together against the limit', () => {
    let overflows = 0;
    const reader = new SseReader(() => undefined, { maxEventBytes: 1000, onOverflow: () => overflows++ });
    for (let i = 0; i < 200; i++) reader.push('data: 0123456789\n');
    expect(overflows).toBe(1);
  });

  it('a leading byte order mark is skipped even when split across chunks', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('data: a\n\n')]);
    expect(read([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)])).toEqual([{ event: 'message', data: 'a' }]);
  });
});
