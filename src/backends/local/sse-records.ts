import { SseReader, type SseRecord } from '../../anthropic/sse-reader.js';

/** The SSE records of a body, as they arrive (the one shared SSE parser, driven as an async iterator). */
export async function* sseRecords(body: AsyncIterable<Buffer>): AsyncGenerator<SseRecord> {
  const pending: SseRecord[] = [];
  const reader = new SseReader((record) => pending.push(record));
  for await (const chunk of body) {
    reader.push(chunk);
    yield* pending.splice(0);
  }
  reader.end();
  yield* pending.splice(0);
}
