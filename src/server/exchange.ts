import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Message, MessagesRequest, StreamEvent } from '../anthropic/types.js';
import { emptySummary, observeEvent, observeJsonBody } from '../anthropic/usage.js';
import type { RequestKind } from '../config/schema.js';
import type { AnswerObserver } from '../backends/observer.js';
import type { RemoteExchange } from '../backends/remote.js';
import type { LocalExchange, PreparationNotes } from '../backends/local/types.js';
import { withoutLocalThinking } from '../backends/local/thinking.js';
import type { Decision, Outcome } from '../routing/types.js';
import { firstHeader, HEADER } from '../shared/headers.js';
import { promptTokens } from '../shared/tokens.js';
import type { Endpoint, Route } from '../shared/vocabulary.js';
import { costsOf } from '../telemetry/costs.js';
import { isTokenCount, type ProxyMetadata, type TelemetryEvent } from '../telemetry/event.js';
import { seedTimestamp } from '../telemetry/json-line.js';
import type { PriceTable } from '../telemetry/pricing.js';
import { ClientAbort } from './client-abort.js';
import { pathOf } from '../shared/path.js';

function taskOf(decision: Decision): Pick<ProxyMetadata, 'task'> {
  const task = decision.details.task;
  return task ? { task: { complexity: task.complexity, score: task.score, features: task.features } } : {};
}

/** What a request carries in: the client's request, its bytes and their parsed form. */
export interface ExchangeInput {
  request: FastifyRequest;
  res: ServerResponse;
  endpoint: Endpoint;
  /** The body as received, forwarded as these bytes on the remote route. */
  raw: Buffer;
  /** The same body parsed and checked; only read. */
  body: MessagesRequest;
  decision: Decision;
  now: Date;
  /** The latest user text, kept only when telemetry.logPrompts is on. */
  queryText?: string;
}

/**
 * One routed request and everything that happened to it: the decision, the route and backend that
 * served it, status, first byte, usage, fallback and errors. Backends serve it and report into it
 * (it is their observer); at the end it becomes one telemetry event and one routing outcome.
 */
export class Exchange implements AnswerObserver, RemoteExchange, LocalExchange {
  readonly id: string;
  readonly path: string;
  readonly model: string;
  readonly endpoint: Endpoint;
  readonly body: MessagesRequest;
  decision: Decision;
  readonly stream: boolean;
  readonly startedAt: Date;
  readonly cancellation: ClientAbort;
  readonly res: ServerResponse;
  readonly method = 'POST';
  route: Route;
  backend = 'anthropic';
  fallback: { from: Route; reason: string } | null = null;
  status = 0;
  private readonly startedMs = performance.now();
  private readonly request: FastifyRequest;
  private readonly raw: Buffer;
  private readonly summary = emptySummary();
  private readonly queryText: string | undefined;
  private usageEstimated = false;
  private ttfbMs: number | null = null;
  /** What preparing the local request did (tools stripped, RAG used, fields dropped). */
  private preparation: PreparationNotes | null = null;

  constructor(input: ExchangeInput) {
    const { request, body, decision } = input;
    this.request = request;
    this.id = request.id;
    this.path = pathOf(request.url);
    this.model = body.model;
    this.endpoint = input.endpoint;
    this.raw = input.raw;
    this.body = body;
    this.decision = decision;
    this.route = decision.route;
    this.stream = input.endpoint === 'messages' && body.stream === true;
    this.startedAt = input.now;
    this.queryText = input.queryText;
    this.res = input.res;
    this.cancellation = new ClientAbort(input.res);
  }

  // What the backends read.

  get url(): string {
    return this.request.url;
  }

  get headers(): FastifyRequest['headers'] {
    return this.request.headers;
  }

  get replaceCredential(): boolean {
    return this.request.credentialIsProxyToken;
  }

  /** Thinking blocks the local route produced were never signed by Anthropic: they are removed first. */
  get outbound(): Buffer {
    return withoutLocalThinking(this.raw, this.body);
  }

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  get aborted(): boolean {
    return this.cancellation.aborted;
  }

  get observer(): AnswerObserver {
    return this;
  }

  get log(): FastifyBaseLogger {
    return this.request.log;
  }

  /** The client sent credentials of its own for Anthropic (the inbound proxy token does not count). */
  get hasClientCredentials(): boolean {
    const { headers } = this.request;
    return !this.request.credentialIsProxyToken && (headers['x-api-key'] !== undefined || headers.authorization !== undefined);
  }

  responseHeaders(): Record<string, string> {
    const headers: Record<string, string> = {
      [HEADER.route]: this.route,
      [HEADER.reason]: this.fallback ? `fallback:${this.fallback.reason}` : this.decision.reason,
    };
    if (this.decision.rule) headers[HEADER.rule] = this.decision.rule;
    return headers;
  }

  // What happened.

  prepared(backend: string, notes: PreparationNotes): void {
    this.backend = backend;
    this.preparation = notes;
  }

  /** The local backend failed before the first byte; the request is served remotely from here. */
  fellBack(reason: string): void {
    this.fallback = { from: 'local', reason };
  }

  /** The remote backend takes over (decided remote, or fallen back). */
  servedRemotely(): void {
    this.route = 'remote';
    this.backend = 'anthropic';
  }

  /** The answer is a proxy-made error of this type and status. */
  failed(status: number, errorType: string): void {
    this.status = status;
    this.summary.errorType = errorType;
  }

  head(status: number): void {
    this.status = status;
  }

  firstByte(): void {
    this.ttfbMs ??= this.elapsed();
  }

  event(event: StreamEvent | Record<string, unknown>): void {
    observeEvent(this.summary, event);
  }

  message(body: Message | Record<string, unknown>): void {
    observeJsonBody(this.summary, body);
  }

  usage(estimated: boolean): void {
    this.usageEstimated = estimated;
  }

  /** Called when the exchange is over: a client that left before any answer counts as 499. */
  end(): void {
    if (this.cancellation.aborted && this.status === 0) this.status = 499;
  }

  elapsed(): number {
    return Math.round((performance.now() - this.startedMs) * 100) / 100;
  }

  get success(): boolean {
    return this.status >= 200 && this.status < 300 && this.summary.errorType === null && (this.summary.complete || !this.stream);
  }

  /** Claude Code's session, from its header; null for other clients. */
  private get sessionId(): string | null {
    return firstHeader(this.request.headers, HEADER.sessionId) ?? null;
  }

  /** The judge's decision replaces the classifier's unsure one. */
  judged(decision: Decision): void {
    this.decision = decision;
    this.route = decision.route;
  }

  /** What the router learns from this request. */
  outcome(): Outcome {
    const usage = this.summary.usage;
    return {
      decision: this.decision,
      route: this.route,
      sessionId: this.sessionId,
      model: this.model,
      inputTokens: usage ? promptTokens(usage) : null,
      usageEstimated: this.usageEstimated,
      toolUseIds: this.summary.toolUseIds,
    };
  }

  toEvent(prices: PriceTable): TelemetryEvent {
    const { usage, servedModel } = this.summary;
    const decision = this.decision;
    const kind: RequestKind = decision.kind;
    const estimate = decision.estimate;
    const { costUsd, costSavedUsd, tokensSaved } = costsOf(
      { route: this.route, tokenCount: isTokenCount({ kind, path: this.path }), success: this.success, model: this.model, servedModel, usage },
      prices,
    );
    return {
      timestamp: seedTimestamp(this.startedAt),
      event_type: 'api_query_routed',
      source: 'claude_api_proxy',
      metadata: {
        routing_decision: this.route,
        estimated_tokens: estimate.request,
        tokens_saved: tokensSaved,
        model: this.model,
        success: this.success,
        request_id: this.id,
        session_id: this.sessionId,
        unix_ms: this.startedAt.getTime(),
        path: this.path,
        kind,
        decided_route: decision.route,
        reason: decision.reason,
        rule: decision.rule,
        fallback: this.fallback,
        backend: this.backend,
        model_served: servedModel,
        stream: this.stream,
        status: this.status,
        stop_reason: this.summary.stopReason,
        error_type: this.summary.errorType,
        input_tokens: usage?.input_tokens ?? null,
        output_tokens: usage?.output_tokens ?? null,
        cache_read_input_tokens: usage?.cache_read_input_tokens ?? null,
        cache_creation_input_tokens: usage?.cache_creation_input_tokens ?? null,
        usage_estimated: this.usageEstimated,
        estimate,
        latency_ms: this.elapsed(),
        ttfb_ms: this.ttfbMs,
        cost_usd: costUsd,
        cost_saved_usd: costSavedUsd,
        ...taskOf(decision),
        preparation: this.preparation,
        ...(this.queryText !== undefined ? { query_text: this.queryText } : {}),
      },
    };
  }
}
