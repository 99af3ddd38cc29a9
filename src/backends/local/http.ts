import type { Dispatcher } from 'undici';
import type { Config } from '../../config/schema.js';
import { Upstream } from '../../upstream/client.js';
import { Deadlines } from '../../upstream/deadlines.js';
import { classifyNetworkError } from '../../upstream/failure.js';
import type { ProbeJudge, ProbeResult } from '../../upstream/probe.js';
import { isObject } from '../../shared/json.js';
import { LocalFailure } from './types.js';

/** Largest error body read from a backend, to quote in the failure message. */
const MAX_ERROR_BODY = 16 * 1024;
/** A health probe is a cheap GET: it answers quickly or the backend is not usable. */
const PROBE_TIMEOUT_MS = 3_000;
/** Largest whole JSON body accepted from a backend (a non-streaming answer). */
const MAX_JSON_BODY = 16 * 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

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
 * HTTP to one local backend: one upstream client made once, deadlines for connect, first body byte
 * and silence inside the body, and every failure classified as a LocalFailure.
 */
export class BackendHttp {
  private readonly upstream: Upstream;

  constructor(
    readonly url: string,
    private readonly timeouts: BackendTimeouts,
    headers: Record<string, string>,
  ) {
    // Deadlines are enforced per request below; the pool only bounds connecting.
    this.upstream = new Upstream(url, { connectTimeoutMs: timeouts.connectTimeoutMs, headers, spareConnection: true });
  }

  /** The protocol's own headers, then the user's extra headers, then the backend's key. */
  static fromConfig(local: Config['local'], apiKey: string | null, auth: (key: string) => Record<string, string>, protocol: Record<string, string> = {}): BackendHttp {
    return new BackendHttp(local.url, local, { ...protocol, ...local.headers, ...(apiKey ? auth(apiKey) : {}) });
  }

  /** POSTs JSON. Resolves once the status is known (2xx only); the body follows under the deadlines. */
  async post(path: string, body: unknown, signal: AbortSignal): Promise<BackendResponse> {
    const deadlines = new Deadlines(this.timeouts.firstByteTimeoutMs, this.timeouts.idleTimeoutMs, signal);
    const payload = JSON.stringify(body);
    let response: Dispatcher.ResponseData | null = null;
    for (let attempt = 1; response === null; attempt++) {
      try {
        response = await this.upstream.request(path, { method: 'POST', headers: JSON_HEADERS, body: payload, signal: deadlines.signal });
      } catch (error) {
        // A kept-alive connection the server closed just as the request went out (llama-server does
        // this after some streams): nothing was answered, so it is sent once more on a new connection.
        if (attempt === 1 && !deadlines.signal.aborted && classifyNetworkError(error).kind === 'reset') continue;
        deadlines.stop();
        throw this.classify(deadlines, error, `${this.url} could not be reached`);
      }
    }
    if (response.statusCode >= 400) {
      const text = await readText(response.body, MAX_ERROR_BODY).catch(() => '');
      deadlines.stop();
      throw new LocalFailure('http_error', `${this.url}${path} answered HTTP ${response.statusCode}${describeErrorBody(text)}`, response.statusCode);
    }
    const what = `${this.url} broke off its answer`;
    return { status: response.statusCode, headers: response.headers, body: deadlines.guard(response.body, (error) => this.classify(deadlines, error, what)) };
  }

  /** GETs a path within a deadline and lets `judge` classify the answer (health probes). */
  probe(path: string, signal: AbortSignal, judge: ProbeJudge): Promise<ProbeResult> {
    return this.upstream.probe(path, judge, { timeoutMs: PROBE_TIMEOUT_MS, signal });
  }

  async close(): Promise<void> {
    await this.upstream.close();
  }

  private classify(deadlines: Deadlines, error: unknown, what: string): unknown {
    if (deadlines.caller.aborted) return error;
    if (error instanceof LocalFailure) return error;
    if (deadlines.fired === 'first_byte') return new LocalFailure('timeout', `${what}: no answer within local.firstByteTimeoutMs (${deadlines.allowedMs} ms)`);
    if (deadlines.fired === 'idle') return new LocalFailure('timeout', `${what}: silent for longer than local.idleTimeoutMs (${deadlines.allowedMs} ms)`);
    const failure = classifyNetworkError(error);
    if (failure.kind === 'timeout') return new LocalFailure('timeout', `${what}: connect timed out (local.connectTimeoutMs ${this.timeouts.connectTimeoutMs} ms)`);
    if (failure.kind === 'refused' || failure.kind === 'host_not_found') return new LocalFailure('refused', `${what}: ${failure.detail}`);
    return new LocalFailure('interrupted', `${what}: ${failure.detail}`);
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
    const parsed: unknown = JSON.parse(trimmed);
    const error = isObject(parsed) ? parsed.error : undefined;
    if (isObject(error) && typeof error.message === 'string') return `: ${error.message}`;
    if (isObject(parsed) && typeof error === 'string') return `: ${error}${typeof parsed.detail === 'string' ? ` (${parsed.detail})` : ''}`;
  } catch {
    // Not JSON: quote the start of the text.
  }
  return `: ${trimmed.slice(0, 200)}`;
}
