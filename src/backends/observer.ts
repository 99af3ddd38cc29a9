import type { Message, StreamEvent } from '../anthropic/types.js';

/**
 * What a backend tells the exchange it serves, as it happens. Backends write the answer; the
 * exchange keeps the record (status, first byte, usage), so nothing comes back through return values.
 */
export interface AnswerObserver {
  /** The answer's status, known when its head is written. */
  head(status: number): void;
  /** The first byte of the answer is on its way to the client. */
  firstByte(): void;
  /** One stream event of the answer (parsed, or an SSE record's JSON with its event name as `type`). */
  event(event: StreamEvent | Record<string, unknown>): void;
  /** A whole JSON answer: a message, a token count or an error envelope. */
  message(body: Message | Record<string, unknown>): void;
  /** The answer ended; `estimated` when its usage was counted by the proxy rather than reported. */
  usage(estimated: boolean): void;
}
