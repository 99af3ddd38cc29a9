import type { ServerResponse } from 'node:http';
import { errorEnvelope, type ApiError } from '../anthropic/errors.js';

/** A proxy-made error as status, headers and body in the Anthropic envelope. */
export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The one place the proxy's own error answers are made, for fastify replies and raw responses alike. */
export function errorReply(error: ApiError, requestId: string, headers: Record<string, string> = {}): ErrorReply {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', 'request-id': requestId, ...headers, ...error.headers },
    body: errorEnvelope(error.type, error.message, requestId),
  };
}

/** Sends a proxy-made error on a raw (hijacked) response, unless an answer is already under way. */
export function sendApiError(res: ServerResponse, requestId: string, error: ApiError, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const reply = errorReply(error, requestId, headers);
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}
