import { randomBytes } from 'node:crypto';
import type { ErrorType } from './types.js';

const STATUS_BY_TYPE: Record<ErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const ID_LENGTH = 24;
// One randomBytes call per 256 ids: a call per request costs more than the rest of the id.
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let offset = 0;

function randomId(prefix: string): string {
  if (offset + ID_LENGTH > pool.length) {
    pool = randomBytes(ID_LENGTH * POOL_IDS);
    offset = 0;
  }
  let out = prefix;
  for (let i = offset; i < offset + ID_LENGTH; i++) out += ID_ALPHABET[pool[i]! % ID_ALPHABET.length];
  offset += ID_LENGTH;
  return out;
}

/** Request ids for responses the proxy produces itself, in Anthropic's `req_…` form. */
export const mintRequestId = (): string => randomId('req_011');
/** Message ids for locally produced messages, in Anthropic's `msg_…` form. */
export const mintMessageId = (): string => randomId('msg_01');

/** An error the proxy answers with, in the Anthropic envelope. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly type: ErrorType,
    message: string,
    status?: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status ?? STATUS_BY_TYPE[type];
  }
}

export function errorEnvelope(type: ErrorType, message: string, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
}

/** Maps an HTTP status to the envelope's error type, for errors raised by the framework. */
export function errorTypeForStatus(status: number): ErrorType {
  const found = (Object.entries(STATUS_BY_TYPE) as [ErrorType, number][]).find(([, s]) => s === status);
  if (found) return found[0];
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}
