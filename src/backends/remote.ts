import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Config } from '../config/schema.js';
import { ApiError } from '../anthropic/errors.js';
import { SseReader } from '../anthropic/sse-reader.js';
import { parseJsonBody, recordEvent } from '../anthropic/usage.js';
import { HEADER } from '../shared/headers.js';
import { Upstream } from '../upstream/client.js';
import { classifyNetworkError, isUndiciTimeout } from '../upstream/failure.js';
import type { AnswerObserver } from './observer.js';

// RFC 9110 §7.6.1 hop-by-hop fields, plus what the proxy sets itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'http2-settings',
  // The client's `Expect: 100-continue` was answered by this server; undici refuses to send it.
  'expect',
]);

/** Request headers only the proxy understands; never forwarded. */
const PROXY_ONLY = new Set<string>([HEADER.route, HEADER.token]);

/** The largest JSON response body kept to read usage from (a 128k-token answer is ~600 kB). */
const MAX_OBSERVED_JSON = 8 * 1024 * 1024;

/** What cancels a forwarded request: an AbortSignal or an EventEmitter that emits `abort` (undici takes either). */
export type Cancellation = (AbortSignal | EventEmitter) & { readonly aborted: boolean };

/** One request to forward, as the remote backend reads it. */
export interface RemoteExchange {
  readonly method: string;
  /** Path and query exactly as the client sent them. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The bytes to send upstream (the client's, unless something had to be removed). */
  readonly outbound: Buffer | Readable | null;
  /** Replace the client's credential with the configured key (the inbound proxy token was the credential). */
  readonly replaceCredential: boolean;
  readonly cancellation: Cancellation;
  /** Told the status, first byte and usage of the answer; null forwards without reading it. */
  readonly observer: AnswerObserver | null;
  /** Headers added to the client response (route, reason). */
  responseHeaders(): Record<string, string>;
}

/** Header names the client's `Connection` header marks as hop-by-hop, if it lists any. */
function connectionListed(value: string | undefined): Set<string> | null {
  if (value === undefined || value === '' || value === 'keep-alive' || value === 'close') return null;
  return new Set(
    value
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Headers that go upstream: the client's own, minus hop-by-hop and proxy-only ones. */
export function upstreamHeaders(headers: IncomingHttpHeaders, apiKey: string | null, replaceCredential: boolean, observe: boolean): Record<string, string | string[]> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || PROXY_ONLY.has(name) || listed?.has(name)) continue;
    if (replaceCredential && (name === 'x-api-key' || name === 'authorization')) continue;
    out[name] = value;
  }
  // Usage is read from the answer as it passes; an identity body avoids a decompressor on the hot path.
  if (observe) out['accept-encoding'] = 'identity';
  if (apiKey && out['x-api-key'] === undefined && out.authorization === undefined) out['x-api-key'] = apiKey;
  return out;
}

function clientHeaders(upstream: Record<string, string | string[] | undefined>, extra: Record<string, string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'content-length')) continue;
    out[name] = value;
  }
  return Object.assign(out, extra);
}

/** Forwards requests to Anthropic, streaming the answer to the client as it arrives. */
export class RemoteBackend {
  readonly upstream: Upstream;

  constructor(
    private readonly config: Config['remote'],
    readonly apiKey: string | null,
    dispatcher?: Dispatcher,
  ) {
    this.upstream = new Upstream(
      config.url,
      { connectTimeoutMs: config.connectTimeoutMs, headersTimeoutMs: config.headersTimeoutMs, bodyTimeoutMs: config.idleTimeoutMs, keepAliveTimeoutMs: 30_000 },
      dispatcher,
    );
  }

  get hasCredentials(): boolean {
    return this.apiKey !== null;
  }

  /**
   * Streams one exchange. Resolves when the answer has been relayed (or the client went away);
   * rejects with ApiError only when nothing was sent to the client yet.
   */
  async serve(exchange: RemoteExchange, res: ServerResponse): Promise<void> {
    const { observer, cancellation } = exchange;
    try {
      await this.upstream.stream(
        exchange.url,
        {
          method: exchange.method as Dispatcher.HttpMethod,
          headers: upstreamHeaders(exchange.headers, this.apiKey, exchange.replaceCredential, observer !== null),
          body: exchange.outbound,
          signal: cancellation,
          headersTimeout: this.config.headersTimeoutMs,
          bodyTimeout: this.config.idleTimeoutMs,
        },
        ({ statusCode, headers }) => {
          observer?.head(statusCode);
          res.writeHead(statusCode, clientHeaders(headers, exchange.responseHeaders()));
          return relay(res, observer && answerTap(String(headers['content-type'] ?? ''), observer, this.config.maxSseEventBytes), observer);
        },
      );
    } catch (error) {
      if (cancellation.aborted || res.destroyed) return;
      if (res.headersSent) {
        // The answer was cut after it started: end the client's stream at once rather than let it hang.
        res.destroy(error instanceof Error ? error : undefined);
        return;
      }
      throw this.unreachable(error);
    }
  }

  private unreachable(error: unknown): ApiError {
    const failure = classifyNetworkError(error);
    const timedOut = isUndiciTimeout(error);
    // 502/504 with x-should-retry: false: Claude Code shows this message after one attempt (measured),
    // where a 529 is retried three times and a 500 for minutes, both without naming the upstream.
    return new ApiError('api_error', `claude-api-proxy: the remote API ${this.config.url} ${timedOut ? 'timed out' : 'is unreachable'} (${failure.code})`, timedOut ? 504 : 502, {
      'x-should-retry': 'false',
    });
  }

  async close(): Promise<void> {
    await this.upstream.close();
  }
}

type Tap = { chunk(data: Buffer): void; end(): void };

function answerTap(contentType: string, observer: AnswerObserver, maxEventBytes: number): Tap | null {
  if (contentType.startsWith('text/event-stream')) {
    // Beyond the limit the reader stops: the answer still passes through, its usage unobserved.
    const reader = new SseReader(
      (record) => {
        const event = recordEvent(record);
        if (event) observer.event(event);
      },
      { maxEventBytes },
    );
    return { chunk: (data) => reader.push(data), end: () => reader.end() };
  }
  if (contentType.includes('json')) {
    const parts: Buffer[] = [];
    let size = 0;
    return {
      chunk: (data) => {
        size += data.length;
        if (size <= MAX_OBSERVED_JSON) parts.push(data);
      },
      end: () => {
        const body = size <= MAX_OBSERVED_JSON ? parseJsonBody(Buffer.concat(parts).toString('utf8')) : null;
        if (body) observer.message(body);
      },
    };
  }
  return null;
}

/** A sink that writes each upstream chunk to the client as it comes, with back-pressure. */
function relay(res: ServerResponse, tap: Tap | null, observer: AnswerObserver | null): Writable {
  let first = true;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (first) {
        first = false;
        observer?.firstByte();
      }
      tap?.chunk(chunk);
      if (res.destroyed) return callback();
      if (res.write(chunk)) callback();
      else res.once('drain', () => callback());
    },
    final(callback) {
      tap?.end();
      if (res.destroyed) callback();
      else res.end(() => callback());
    },
    destroy(error, callback) {
      callback(error);
    },
  });
}
