import type { ServerResponse } from 'node:http';
import { errorMessage } from '../../shared/errors.js';
import type { Endpoint } from '../../shared/vocabulary.js';
import type { MessagesRequest, StreamEvent } from '../../anthropic/types.js';
import type { AnswerObserver } from '../observer.js';
import type { RetrievalNote } from '../../rag/context.js';
import type { ComponentStatus } from '../health.js';
import type { ProbeResult } from '../../upstream/probe.js';

/** Why the local backend could not answer; the request may still be served remotely. */
export type LocalFailureReason =
  | 'disabled'
  | 'unhealthy'
  | 'refused'
  | 'timeout'
  | 'http_error'
  | 'malformed'
  | 'interrupted'
  | 'invalid_tool_json'
  | 'too_long'
  | 'context_overflow'
  | 'unsupported';

/** A local failure before anything reached the client. */
export class LocalFailure extends Error {
  override readonly name = 'LocalFailure';
  constructor(
    readonly reason: LocalFailureReason,
    message: string,
    /** The backend's HTTP status, for `http_error`. */
    readonly status: number | null = null,
  ) {
    super(message);
  }

  /** Whether this failure says something about the backend's health (a refusal to fit does not). */
  get countsAgainstBackend(): boolean {
    if (this.reason === 'http_error') return this.status === null || this.status >= 500;
    return this.reason !== 'context_overflow' && this.reason !== 'disabled' && this.reason !== 'unhealthy';
  }
}

/** Anything a local answer failed with, as a LocalFailure (an unclassified error is a malformed answer). */
export const asLocalFailure = (error: unknown): LocalFailure => (error instanceof LocalFailure ? error : new LocalFailure('malformed', errorMessage(error)));

export type LocalKind = 'anthropic' | 'openai' | 'coordinator';

/** A JSON schema the answer must match (`output_config.format` of type `json_schema`). */
export interface JsonFormat {
  schema: unknown;
}

/** How tool definitions reached the local backend. */
export type ToolsNote = 'passed' | 'stripped' | 'none' | 'never' | 'unsupported';

/** What preparing a local request changed (never prompt text); telemetry's `preparation`. */
export type PreparationNotes = RetrievalNote & {
  fields_dropped?: string[];
  billing_block_removed?: true;
  system_turns_folded?: number;
  thinking_blocks_removed?: number;
  images_omitted?: number;
  blocks_dropped?: number;
  tools_unavailable_locally?: number;
  tool_choice_named?: true;
  format?: AdapterCapabilities['jsonSchema'];
  tools?: ToolsNote;
  input_estimate?: number;
  max_tokens?: number;
  rag_dropped_to_fit?: true;
};

/** A request made ready for one local backend. */
export interface PreparedRequest {
  /** Anthropic-shaped, holding only fields a strict native server accepts; model already replaced. */
  body: MessagesRequest;
  /** The structured-output schema, for adapters that can constrain the reply natively. */
  format: JsonFormat | null;
  /** The client asked for thinking: reasoning from the backend may come back as thinking blocks. */
  thinking: boolean;
  /** Estimated input tokens of `body`, used where the backend reports none. */
  inputTokens: number;
}

/** What a backend protocol can carry; preparation adapts the request to it. */
export interface AdapterCapabilities {
  /** Tool definitions and tool_use/tool_result turns. */
  tools: boolean;
  /** How a JSON schema for the reply is honoured: by the backend itself, or by an instruction. */
  jsonSchema: 'native' | 'instruction';
}

/** One protocol spoken by a local server, turned into Anthropic stream events. */
export interface LocalAdapter {
  readonly kind: LocalKind;
  readonly capabilities: AdapterCapabilities;
  /** The answer as Anthropic stream events. Throws LocalFailure for failures it can classify. */
  stream(request: PreparedRequest, signal: AbortSignal): AsyncIterable<StreamEvent>;
  /** The backend's own token count, or null where it has none. */
  countTokens(request: PreparedRequest, signal: AbortSignal): Promise<number | null>;
  /** A cheap reachability check (no generation). */
  probe(signal: AbortSignal): Promise<ProbeResult>;
  close(): Promise<void>;
}

/**
 * A local answer: its events from `message_start` to `message_stop`, and `started`, which settles
 * once enough of it is in hand that a fallback is no longer possible (it rejects with LocalFailure
 * when the answer failed before that). Read `events` only after `started` resolved.
 */
export interface LocalAnswer {
  events: AsyncIterable<StreamEvent>;
  started: Promise<void>;
  backend: string;
  /** Read it again when the answer has ended: usage may turn out to be counted rather than reported. */
  readonly usageEstimated: boolean;
  /** What preparation did (tools stripped, RAG used, …), for telemetry. */
  notes: PreparationNotes;
}

/** Where the local backend's log lines go (a pino or fastify logger). */
export interface LocalLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** One request to answer locally, as the local backend reads it. */
export interface LocalExchange {
  readonly id: string;
  readonly endpoint: Endpoint;
  readonly body: MessagesRequest;
  /** The client asked for a stream (SSE) rather than one JSON message. */
  readonly stream: boolean;
  readonly signal: AbortSignal;
  readonly observer: AnswerObserver;
  readonly log: LocalLog;
  /** The backend that took the request and what preparing it did. */
  prepared(backend: string, notes: PreparationNotes): void;
  /** Headers added to the client response (route, reason). */
  responseHeaders(): Record<string, string>;
}

/** The local backend as the server sees it. */
export interface LocalBackend {
  readonly backend: string;
  readonly enabled: boolean;
  /** Prepares the request and starts the answer; rejects with LocalFailure when it cannot even start. `retrieval: false` skips RAG (the routing judge). */
  open(request: MessagesRequest, signal: AbortSignal, options?: { retrieval?: boolean }): Promise<LocalAnswer>;
  countTokens(request: MessagesRequest, signal: AbortSignal): Promise<number>;
  /** Answers one request on `res` (`serveLocal()` of serve.ts); rejects with LocalFailure while a fallback is still possible. */
  serve(exchange: LocalExchange, res: ServerResponse): Promise<void>;
  /** Synchronous and cheap (the router asks per request): the cached probe and the breaker. */
  healthy(): boolean;
  /** For display: `unknown` until the first probe has answered (healthy() assumes the best meanwhile). */
  health(): 'healthy' | 'unhealthy' | 'unknown';
  /** The local backend and the retrieval service, probed (results cached for local.healthCacheMs). */
  status(): Promise<ComponentStatus[]>;
  close(): Promise<void>;
}
