import { buildConnector, Pool, type Dispatcher } from 'undici';
import { classifyNetworkError } from './failure.js';
import { probeResult, type ProbeJudge, type ProbeResult } from './probe.js';
import { SpareConnector } from './spare-connection.js';

/** The largest probe answer read (a model list or a health document). */
const MAX_PROBE_BODY = 64 * 1024;

export interface UpstreamOptions {
  connectTimeoutMs: number;
  /** Connection-wide deadlines for the response head and silence in the body; 0 leaves them to each request. */
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Headers sent with every request (a backend's own key, protocol headers). */
  headers?: Record<string, string>;
  /** Keep the next connection open ahead of need, for servers that close theirs after each answer. */
  spareConnection?: boolean;
}

export type UpstreamRequest = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'headers'> & { headers?: Record<string, string | string[]> };

/** A streamed request: what the remote route sets, nothing else. */
export interface StreamRequest {
  method: Dispatcher.HttpMethod;
  headers: Record<string, string | string[]>;
  body: Dispatcher.DispatchOptions['body'];
  signal: Dispatcher.RequestOptions['signal'];
  headersTimeout: number;
  bodyTimeout: number;
}

/**
 * One upstream service at a base URL (origin and an optional path prefix), with one connection pool
 * made once. Every outbound call of the proxy goes through one of these.
 */
export class Upstream {
  readonly origin: string;
  private readonly dispatcher: Dispatcher;
  /**
   * Where health probes go: with a spare connection, a pool of their own. A probe that took the spare
   * made the request right behind it wait for a new connection (measured on llama-server: 1–3 ms).
   */
  private readonly probes: Dispatcher;
  private readonly basePath: string;
  private readonly fixedHeaders: Record<string, string> | null;
  private readonly spare: SpareConnector | null;

  constructor(
    readonly url: string,
    options: UpstreamOptions,
    dispatcher?: Dispatcher,
  ) {
    const parsed = new URL(url);
    this.origin = parsed.origin;
    this.basePath = parsed.pathname.replace(/\/+$/, '');
    this.fixedHeaders = options.headers && Object.keys(options.headers).length > 0 ? options.headers : null;
    this.spare = options.spareConnection && !dispatcher ? new SpareConnector(buildConnector({ timeout: options.connectTimeoutMs })) : null;
    // A pool for the one origin, kept for the Upstream's life (an Agent drops its pool, and makes a new
    // one, whenever the server has closed every connection: after each llama-server stream).
    this.dispatcher =
      dispatcher ??
      new Pool(this.origin, {
        connect: this.spare ? this.spare.connect : { timeout: options.connectTimeoutMs },
        headersTimeout: options.headersTimeoutMs ?? 0,
        bodyTimeout: options.bodyTimeoutMs ?? 0,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
      });
    this.probes = this.spare ? new Pool(this.origin, { connect: { timeout: options.connectTimeoutMs }, connections: 1 }) : this.dispatcher;
  }

  /** The upstream path for a path (and query) below the base URL. */
  private pathFor(path: string): string {
    return this.basePath + path;
  }

  /** The full URL of a path below the base URL. */
  urlOf(path: string): string {
    return this.origin + this.basePath + path;
  }

  request(path: string, options: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    return this.send(this.dispatcher, path, options);
  }

  /**
   * Streams the answer into the writable `factory` returns (the remote route's relay). The options
   * are one literal of one shape: undici reads a dozen fields of them per request, and objects made
   * by spreading callers' options made those reads several times slower (measured on the remote route).
   */
  stream(path: string, request: StreamRequest, factory: Dispatcher.StreamFactory): Promise<Dispatcher.StreamData> {
    return this.dispatcher.stream(
      {
        origin: this.origin,
        path: this.pathFor(path),
        method: request.method,
        headers: this.headersWith(request.headers),
        body: request.body,
        signal: request.signal,
        headersTimeout: request.headersTimeout,
        bodyTimeout: request.bodyTimeout,
      },
      factory,
    );
  }

  /** GETs a path within `timeoutMs` and lets `judge` classify the answer; a network failure is `ok: false` with the reason. */
  async probe(path: string, judge: ProbeJudge, options: { timeoutMs: number; signal?: AbortSignal }): Promise<ProbeResult> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await this.send(this.probes, path, { method: 'GET', signal: options.signal ? AbortSignal.any([deadline, options.signal]) : deadline });
      const body = (await response.body.text()).slice(0, MAX_PROBE_BODY);
      return judge(response.statusCode, body, Math.round(performance.now() - started));
    } catch (error) {
      return probeResult(false, classifyNetworkError(error).detail);
    }
  }

  async close(): Promise<void> {
    this.spare?.close();
    await Promise.all([this.dispatcher.close(), this.probes === this.dispatcher ? null : this.probes.close()]);
  }

  private send(dispatcher: Dispatcher, path: string, options: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    return dispatcher.request({ ...options, origin: this.origin, path: this.pathFor(path), headers: this.headersWith(options.headers) });
  }

  private headersWith(headers: UpstreamRequest['headers']): UpstreamRequest['headers'] {
    return this.fixedHeaders === null ? headers : { ...this.fixedHeaders, ...headers };
  }
}
