import type { MessagesRequest, StreamEvent } from '../../anthropic/types.js';

/** Why the local leg could not answer; the request may still be served remotely. */
export type LocalFailureReason =
  | 'disabled'
  | 'unhealthy'
  | 'refused'
  | 'timeout'
  | 'http_error'
  | 'malformed'
  | 'context_overflow'
  | 'unsupported';

/** A local failure before anything reached the client. */
export class LocalFailure extends Error {
  override readonly name = 'LocalFailure';
  constructor(
    readonly reason: LocalFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** One protocol spoken by a local server, turned into Anthropic stream events. */
export interface LocalAdapter {
  /** e.g. `anthropic`, `openai`, `coordinator`. */
  readonly kind: string;
  /** Streams the answer; throws LocalFailure for failures it can classify. */
  stream(request: MessagesRequest, signal: AbortSignal): AsyncIterable<StreamEvent>;
  /** The backend's own token count, or null where it has none. */
  countTokens(request: MessagesRequest, signal: AbortSignal): Promise<number | null>;
  /** Whether usage numbers come from the proxy's own counting. */
  readonly usageEstimated: boolean;
}

/** An answer that has started: its first event is in hand, so a fallback is no longer possible after this. */
export interface LocalAnswer {
  first: StreamEvent;
  rest: AsyncIterator<StreamEvent>;
  backend: string;
  usageEstimated: boolean;
  /** What preparation did (tools stripped, RAG used, …), for telemetry. */
  notes: Record<string, unknown>;
}

/** The local route as the server sees it. */
export interface LocalLeg {
  readonly backend: string;
  readonly enabled: boolean;
  /** Prepares the request and starts the answer; rejects with LocalFailure before the first event. */
  open(request: MessagesRequest, signal: AbortSignal): Promise<LocalAnswer>;
  countTokens(request: MessagesRequest, signal: AbortSignal): Promise<number>;
  healthy(): boolean;
}
