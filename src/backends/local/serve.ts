import type { ServerResponse } from 'node:http';
import { mintMessageId } from '../../anthropic/errors.js';
import { MessageAccumulator } from '../../anthropic/accumulate.js';
import { SSE_HEADERS, SseWriter } from '../../anthropic/sse-writer.js';
import { errorMessage } from '../../shared/errors.js';
import { asLocalFailure, type LocalAnswer, type LocalBackend, type LocalExchange } from './types.js';

/** What serving needs of a local backend: its answers and its token counts. */
export type Answering = Pick<LocalBackend, 'open' | 'countTokens'>;

/**
 * Serves one request from a local backend: a stream through the SSE writer, a JSON message through
 * the accumulator, a token count as JSON. Rejects with LocalFailure when the answer failed before
 * anything reached the client (the caller may fall back); after that, a failure is one SSE `error`
 * event and the end of the stream.
 */
export async function serveLocal(local: Answering, exchange: LocalExchange, res: ServerResponse): Promise<void> {
  try {
    if (exchange.endpoint === 'count_tokens') await count(local, exchange, res);
    else await answer(local, exchange, res);
  } catch (error) {
    if (exchange.signal.aborted) return;
    throw asLocalFailure(error);
  }
}

async function count(local: Answering, exchange: LocalExchange, res: ServerResponse): Promise<void> {
  const tokens = await local.countTokens(exchange.body, exchange.signal);
  const body = { input_tokens: tokens };
  exchange.observer.message(body);
  writeJson(exchange, res, JSON.stringify(body));
}

async function answer(local: Answering, exchange: LocalExchange, res: ServerResponse): Promise<void> {
  const answer = await local.open(exchange.body, exchange.signal);
  exchange.prepared(answer.backend, answer.notes);
  exchange.log.info({ backend: answer.backend, ...answer.notes }, 'local request prepared');
  await answer.started;
  // Told again at the end: usage may turn out to be counted rather than reported.
  exchange.observer.usage(answer.usageEstimated);
  if (exchange.stream) await streamAnswer(exchange, res, answer);
  else await messageAnswer(exchange, res, answer);
}

function writeJson(exchange: LocalExchange, res: ServerResponse, text: string): void {
  exchange.observer.head(200);
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': exchange.id, ...exchange.responseHeaders() });
  exchange.observer.firstByte();
  res.end(text);
}

/** The whole answer gathered into one message; any failure on the way still allows a fallback. */
async function messageAnswer(exchange: LocalExchange, res: ServerResponse, answer: LocalAnswer): Promise<void> {
  const accumulator = new MessageAccumulator();
  for await (const event of answer.events) accumulator.apply(event);
  exchange.observer.usage(answer.usageEstimated);
  const message = accumulator.result();
  message.id ||= mintMessageId();
  exchange.observer.message(message);
  writeJson(exchange, res, JSON.stringify(message));
}

async function streamAnswer(exchange: LocalExchange, res: ServerResponse, answer: LocalAnswer): Promise<void> {
  const { observer, signal } = exchange;
  observer.head(200);
  res.writeHead(200, { ...SSE_HEADERS, 'request-id': exchange.id, ...exchange.responseHeaders() });
  const writer = new SseWriter(res);
  try {
    for await (const event of answer.events) {
      if (signal.aborted) break;
      observer.event(event);
      await writer.write(event);
      observer.firstByte();
    }
    observer.usage(answer.usageEstimated);
  } catch (error) {
    if (!signal.aborted) {
      // After the first byte a fallback is impossible: one error event, then close (no fake message_stop).
      const detail = errorMessage(error);
      exchange.log.warn({ backend: answer.backend, detail }, 'local backend failed after the answer started');
      const event = { type: 'error', error: { type: 'overloaded_error', message: `claude-api-proxy: the local backend ${answer.backend} failed mid-answer: ${detail}` } } as const;
      observer.event(event);
      await writer.write(event);
    }
  } finally {
    writer.end();
  }
}
