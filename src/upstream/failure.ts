import { errors as undiciErrors } from 'undici';
import { errorCode, errorMessage, errorName } from '../shared/errors.js';

/** What went wrong on the way to an upstream, in the few kinds callers act on. */
export type NetworkFailureKind = 'timeout' | 'refused' | 'host_not_found' | 'reset' | 'other';

/** A connection-level failure of an upstream request, classified once. */
export interface NetworkFailure {
  kind: NetworkFailureKind;
  /** In words a user can act on: `timed out`, `connection refused`, … or the error's own code. */
  detail: string;
  /** The error's code (or name), as shown in messages. */
  code: string;
}

const DETAIL: Record<Exclude<NetworkFailureKind, 'other'>, string> = {
  timeout: 'timed out',
  refused: 'connection refused',
  host_not_found: 'host not found',
  reset: 'connection reset',
};

function kindOf(error: unknown, code: string | undefined): NetworkFailureKind {
  if (isUndiciTimeout(error)) return 'timeout';
  const name = errorName(error);
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host_not_found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'reset';
  return 'other';
}

export function classifyNetworkError(error: unknown): NetworkFailure {
  // undici wraps the socket's error: its code may sit on the cause.
  const code = errorCode(error) ?? (error instanceof Error ? errorCode(error.cause) : undefined);
  const kind = kindOf(error, code);
  return { kind, detail: kind === 'other' ? (code ?? errorMessage(error)) : DETAIL[kind], code: code ?? errorName(error) ?? 'unknown' };
}

/** Whether undici gave up waiting for the connection or the response head (not the client's abort). */
export function isUndiciTimeout(error: unknown): boolean {
  return error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.ConnectTimeoutError;
}
