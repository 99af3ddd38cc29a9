// Preloaded (`node --import`) into a proxy the llama bench traces: timestamps of each streamed
// /v1/messages request at the stages Node, undici and the response expose, one JSON line per request
// appended to BENCH_STAGES_FILE. Nothing in the proxy's own code is touched; the bench measures its
// time-to-first-token numbers on another proxy process that has no preload.
import { subscribe } from 'node:diagnostics_channel';
import { appendFile } from 'node:fs/promises';
import { ServerResponse, type IncomingMessage } from 'node:http';

/** Milliseconds since the request's headers arrived, per stage. */
export interface StageTimes {
  /** The body received in full. */
  bodyEnd?: number;
  /** The proxy has parsed, decided, prepared and serialised, and hands the request to undici. */
  dispatched?: number;
  /** undici wrote the request head to llama-server. */
  headersSent?: number;
  /** undici wrote the whole body. */
  bodySent?: number;
  /** The first chunk from llama-server that carries a content delta. */
  firstDelta?: number;
  /** The proxy's first write of a content delta to its client. */
  relayed?: number;
}

export type Stage = keyof StageTimes;

const FILE = process.env.BENCH_STAGES_FILE;
const DELTA = 'content_block_delta';

interface Traced {
  startedAt: number;
  times: StageTimes;
}

/** The request being traced: the bench sends one at a time. */
let current: Traced | null = null;

function mark(stage: Stage): void {
  if (current !== null) current.times[stage] ??= Math.round((performance.now() - current.startedAt) * 1000) / 1000;
}

const carriesDelta = (chunk: unknown): boolean => (typeof chunk === 'string' || Buffer.isBuffer(chunk)) && chunk.includes(DELTA);

interface UndiciMessage {
  request: { method: string; path: string };
  chunk?: Buffer;
}

/** Only the forwarded answer counts: health probes and token counts go to other paths. */
const isAnswer = (message: unknown): boolean => {
  const { request } = message as UndiciMessage;
  return request.method === 'POST' && request.path.endsWith('/v1/messages');
};

if (FILE !== undefined) {
  const file = FILE;
  subscribe('http.server.request.start', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (request.method !== 'POST' || request.url !== '/v1/messages') return;
    const traced: Traced = { startedAt: performance.now(), times: {} };
    current = traced;
    request.once('end', () => mark('bodyEnd'));
    response.once('finish', () => {
      if (current === traced) current = null;
      void appendFile(file, `${JSON.stringify(traced.times)}\n`);
    });
  });
  subscribe('undici:request:create', (message) => {
    if (isAnswer(message)) mark('dispatched');
  });
  subscribe('undici:client:sendHeaders', (message) => {
    if (isAnswer(message)) mark('headersSent');
  });
  subscribe('undici:request:bodySent', (message) => {
    if (isAnswer(message)) mark('bodySent');
  });
  subscribe('undici:request:bodyChunkReceived', (message) => {
    if (isAnswer(message) && carriesDelta((message as UndiciMessage).chunk)) mark('firstDelta');
  });
  // No channel reports a response's writes: the first content delta the proxy writes is seen here.
  const write = ServerResponse.prototype.write;
  ServerResponse.prototype.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    if (current !== null && current.times.relayed === undefined && carriesDelta(chunk)) mark('relayed');
    return (write as (this: ServerResponse, ...args: unknown[]) => boolean).call(this, chunk, ...rest);
  };
}
