import type { ServerResponse } from 'node:http';
import { errorEnvelope, type ApiError } from '../anthropic/errors.js';

/** Sends a proxy-made error in the Anthropic envelope on a raw (hijacked) response. */
export function sendApiError(res: ServerResponse, requestId: string, error: ApiError, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(error.status, { 'content-type': 'application/json', 'request-id': requestId, ...headers, ...error.headers });
  res.end(errorEnvelope(error.type, error.message, requestId));
}
