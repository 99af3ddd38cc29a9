import { describe, expect, it } from 'vitest';
import { SseReader, type SseRecord } from '../../src/anthropic/sse-reader.js';
import { formatSseEvent } from '../../src/anthropic/sse-writer.js';
import { MessageAccumulator, MalformedStreamError } from '../../src/anthropic/accumulate.js';
import type { StreamEvent } from '../../src/anthropic/types.js';
import { streams } from '../helpers/fake-anthropic.js';

function read(chunks: (string | Uint8Array)[]): SseRecord[] {
  const records: SseRecord[] = [];
  const reader = new SseReader((r) => records.push(r));
  for (const c of chunks) reader.push(c);
  reader.end();
  return records;
}

describe('SseReader', () => {
  it('reads LF, CRLF and CR line ends, comments and multi-line data', () => {
    const text = ': comment\nevent: a\ndata: 1\n\nevent: b\r\ndata: x\r\ndata: y\r\n\r\nevent: c\rdata:no-space\r\r';
    expect(read([text])).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: 'x\ny' },
      { event: 'c', data: 'no-space' },
    ]);
  });

  it('handles a CRLF and a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('event: t\r\ndata: "é€"\r\n\r\n');
    // cut inside "\r\n" (9|10) and inside the two-byte é (19|20)
    const chunks = [bytes.subarray(0, 9), bytes.subarray(9, 10), bytes.subarray(10, 19), bytes.subarray(19, 20), bytes.subarray(20)];
    expect(read(chunks)).toEqual([{ event: 't', data: '"é€"' }]);
  });

  it('defaults the event name to message and drops an unterminated final event', () => {
    expect(read(['data: 1\n\ndata: 2'])).toEqual([{ event: 'message', data: '1' }]);
  });

  it('reads back exactly what the writer writes', () => {
    const events = streams.toolUse() as StreamEvent[];
    const records = read([events.map(formatSseEvent).join('')]);
    expect(records.map((r) => JSON.parse(r.data))).toEqual(events);
    expect(records.map((r) => r.event)).toEqual(events.map((e) => e.type));
  });
});

describe('MessageAccumulator', () => {
  it('builds text, tool_use input and thinking with its signature', () => {
    for (const events of [streams.text('a b c'), streams.toolUse(), streams.thinking()]) {
      const acc = new MessageAccumulator();
      for (const e of events as StreamEvent[]) acc.apply(e);
      const message = acc.result();
      expect(message.stop_reason).not.toBeNull();
      expect(message.usage.output_tokens).toBeGreaterThan(0);
    }
    const acc = new MessageAccumulator();
    for (const e of streams.toolUse() as StreamEvent[]) acc.apply(e);
    expect(acc.result().content[1]).toEqual({ type: 'tool_use', id: 'toolu_01Fake', name: 'Bash', input: { command: 'ls -la', description: 'List' } });
    const think = new MessageAccumulator();
    for (const e of streams.thinking() as StreamEvent[]) think.apply(e);
    expect(think.result().content[0]).toEqual({ type: 'thinking', thinking: 'The user greets; answer briefly.', signature: 'EqQBCkYIBxgCKkBsig+/fake==' });
  });

  it.each([
    ['not JSON', '{"command": '],
    ['not an object', '[1,2]'],
  ])('refuses tool input that is %s', (_name, json) => {
    const acc = new MessageAccumulator();
    const events = streams.toolUse() as StreamEvent[];
    const broken = events.map((e) =>
      e.type === 'content_block_delta' && e.delta.type === 'input_json_delta' ? { ...e, delta: { ...e.delta, partial_json: '' } } : e,
    );
    broken.splice(6, 0, { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: json } });
    expect(() => broken.forEach((e) => acc.apply(e))).toThrow(MalformedStreamError);
  });

  it('refuses a stream that does not start with message_start', () => {
    expect(() => new MessageAccumulator().apply({ type: 'content_block_stop', index: 0 })).toThrow(MalformedStreamError);
  });
});
