import { SseReader, type SseRecord } from '../../anthropic/sse-reader.js';
import { LocalFailure } from './types.js';

/** The SSE records of a body, as they arrive (the one shared SSE parser, driven as an async iterator). */
export async function* sseRecords(body: AsyncIterable<Buffer>, maxEventBytes: number): AsyncGenerator<SseRecord> {
  const pending: SseRecord[] = [];
  let overflowed = false;
  const reader = new SseReader((record) => pending.push(record), { maxEventBytes, onOverflow: () => (overflowed = true) });
  for await (const chunk of body) {
    reader.push(chunk);
    yield* pending.splice(0);
    if (overflowed) throw new LocalFailure('malformed', `an SSE event is larger than local.maxSseEventBytes (${maxEventBytes} bytes)`);
  }
  reader.end();
  yield* pending.splice(0);
}
