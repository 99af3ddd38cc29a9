import { Agent, type Dispatcher } from 'undici';
import type { Config } from '../../config/schema.js';
import { describeNetworkError, probeHttp, type ProbeResult } from '../health.js';
import { LocalFailure } from './types.js';

/** Largest error body read from a backend, to quote in the failure message. */
const MAX_ERROR_BODY = 16 * 1024;
/** A health probe is a cheap GET: it answers quickly or the backend is not usable. */
export const PROBE_TIMEOUT_MS = 3_000;
/** Largest whole JSON body accepted from a backend (a non-streaming answer). */
const MAX_JSON_BODY = 16 * 1024 * 1024;

export interface BackendTimeouts {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

/** A started response whose body is read under the first-byte and idle deadlines. */
export interface BackendResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Body chunks; a deadline or a cut connection ends it with a LocalFailure. */
  body: AsyncIterable<Buffer>;
}

/**
 * HTTP to one local backend: one connection pool created once, deadlines for connect, first body
 * byte and silence inside the body, and every failure classified as a LocalFailure.
 */
export class BackendHttp {
  readonly dispatcher: Dispatcher;
  readonly origin: string;
  private readonly basePath: string;

  constructor(
    readonly url: string,
    private readonly timeouts: BackendTimeouts,
    private readonly headers: Record<string, string>,
  ) {
    const parsed = new URL(url);
    this.origin = parsed.origin;
    this.basePath = parsed.pathname.replace(/\/+$/, '');
    // Deadlines are enforced per request below; the agent only bounds connecting.
    this.dispatcher = new Agent({ connect: { timeout: timeouts.connectTimeoutMs }, headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10_000 });
  }

  /** The protocol's own headers, then the user's extra headers, then the backend's key. */
  static fromConfig(local: Config['local'], apiKey: string | null, auth: (key: string) => Record<string, string>, protocol: Record<string, string> = {}): BackendHttp {
    return new BackendHttp(local.url, local, { ...protocol, ...local.headers, ...(apiKey ? auth(apiKey) : {}) });
  }

  /** The full URL of a path below the backend's base URL. */
  urlOf(path: string): string {
    return this.origin + this.basePath + path;
  }

  /** POSTs JSON. Resolves once the status is known (2xx only); the body follows under the deadlines. */
  async post(path: string, body: unknown, signal: AbortSignal): Promise<BackendResponse> {
    const watchdog = new Watchdog(this.timeouts, signal);
    let response: Dispatcher.ResponseData;
    try {
      response = await this.dispatcher.request({
        origin: this.origin,
        path: this.basePath + path,
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify(body),
        signal: watchdog.signal,
      });
    } catch (error) {
      watchdog.stop();
      throw watchdog.classify(error, `${this.url} could not be reached`);
    }
    if (response.statusCode >= 400) {
      const text = await readText(response.body, MAX_ERROR_BODY).catch(() => '');
      watchdog.stop();
      throw new LocalFailure('http_error', `${this.url}${path} answered HTTP ${response.statusCode}${describeErrorBody(text)}`, response.statusCode);
    }
    return { status: response.statusCode, headers: response.headers, body: watchdog.guard(response.body, this.url) };
  }

  /** GETs a path within a deadline and lets `judge` classify the answer (health probes). */
  probe(path: string, signal: AbortSignal, judge: (status: number, body: string, latencyMs: number) => ProbeResult): Promise<ProbeResult> {
    return probeHttp(this.dispatcher, this.urlOf(path), { headers: this.headers, timeoutMs: PROBE_TIMEOUT_MS, signal }, judge);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** Reads a whole (bounded) JSON body from a response. */
export async function readJson(body: AsyncIterable<Buffer>, what: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw new LocalFailure('malformed', `${what}: the reply is larger than ${MAX_JSON_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new LocalFailure('malformed', `${what}: the reply is not valid JSON`);
  }
}

async function readText(body: AsyncIterable<Buffer>, limit: number): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    if (text.length < limit) text += chunk.toString('utf8');
  }
  return text.slice(0, limit);
}

/** The error message inside a backend's error body (Anthropic, OpenAI, coordinator or plain text). */
function describeErrorBody(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    const parsed = JSON.parse(trimmed) as Record<string, unknown>;
    const error = parsed.error;
    if (typeof error === 'object' && error !== null && typeof (error as Record<string, unknown>).message === 'string') {
      return `: ${String((error as Record<string, unknown>).message)}`;
    }
    if (typeof error === 'string') return `: ${error}${typeof parsed.detail === 'string' ? ` (${parsed.detail})` : ''}`;
  } catch {
    // Not JSON: quote the start of the text.
  }
  return `: ${trimmed.slice(0, 200)}`;
}

/**
 * Deadlines of one backend request: until the first body byte (`firstByteTimeoutMs` from the start),
 * then between chunks (`idleTimeoutMs`). The client's own abort passes through unchanged.
 */
class Watchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout;
  private fired: 'first_byte' | 'idle' | null = null;
  readonly signal: AbortSignal;

  constructor(
    private readonly timeouts: BackendTimeouts,
    private readonly client: AbortSignal,
  ) {
    this.signal = AbortSignal.any([client, this.controller.signal]);
    this.timer = this.arm('first_byte', timeouts.firstByteTimeoutMs);
  }

  private arm(kind: 'first_byte' | 'idle', ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.fired = kind;
      this.controller.abort();
    }, ms);
    timer.unref();
    return timer;
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  classify(error: unknown, what: string): unknown {
    if (this.client.aborted) return error;
    if (error instanceof LocalFailure) return error;
    if (this.fired === 'first_byte') return new LocalFailure('timeout', `${what}: no answer within local.firstByteTimeoutMs (${this.timeouts.firstByteTimeoutMs} ms)`);
    if (this.fired === 'idle') return new LocalFailure('timeout', `${what}: silent for longer than local.idleTimeoutMs (${this.timeouts.idleTimeoutMs} ms)`);
    const reason = describeNetworkError(error);
    if (reason === 'timed out') return new LocalFailure('timeout', `${what}: connect timed out (local.connectTimeoutMs ${this.timeouts.connectTimeoutMs} ms)`);
    if (reason === 'connection refused' || reason === 'host not found') return new LocalFailure('refused', `${what}: ${reason}`);
    return new LocalFailure('interrupted', `${what}: ${reason}`);
  }

  async *guard(body: AsyncIterable<Buffer>, url: string): AsyncGenerator<Buffer> {
    let first = true;
    try {
      for await (const chunk of body) {
        if (first) {
          first = false;
          clearTimeout(this.timer);
          this.timer = this.arm('idle', this.timeouts.idleTimeoutMs);
        } else {
          this.timer.refresh();
        }
        yield chunk as Buffer;
      }
    } catch (error) {
      throw this.classify(error, `${url} broke off its answer`);
    } finally {
      // An early stop by the consumer has already destroyed the body (and its connection) above.
      this.stop();
    }
  }
}
