import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorEnvelope, errorTypeForStatus, mintRequestId } from '../anthropic/errors.js';
import { errorReply } from './reply.js';

/** Turns anything thrown while handling a request into the Anthropic error envelope. Never a stack trace. */
export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('request_too_large', 'request body is larger than the limit (listen.bodyLimitBytes)');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid_request_error', fastifyError.message);
    default:
      break;
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return new ApiError(errorTypeForStatus(status), fastifyError.message, status);
  return new ApiError('api_error', 'claude-api-proxy: internal error');
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toApiError(error);
  if (apiError.status >= 500 && !(error instanceof ApiError)) request.log.error({ err: error }, 'unhandled error');
  const answer = errorReply(apiError, request.id);
  void reply.code(answer.status).headers(answer.headers).send(answer.body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const message = `claude-api-proxy: no route for ${request.method} ${request.url.split('?')[0] ?? ''}`;
  const answer = errorReply(new ApiError('not_found_error', message), request.id);
  void reply.code(answer.status).headers(answer.headers).send(answer.body);
}

function connectionErrorOf(code: string | undefined): ApiError {
  if (code === 'HPE_HEADER_OVERFLOW') return new ApiError('request_too_large', 'request headers are larger than the limit', 431);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new ApiError('invalid_request_error', 'the request was not received in time', 408);
  return new ApiError('invalid_request_error', `malformed HTTP request (${code ?? 'unknown'})`);
}

/** Node's own marker of the response a connection is sending right now (set while one is assigned). */
type HttpSocket = Socket & { _httpMessage?: { headersSent: boolean } | null };

/** Requests Node's HTTP parser refuses (framing, header syntax, size) get the envelope too, then the connection closes. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const apiError = connectionErrorOf(error.code);
  const requestId = mintRequestId();
  const body = errorEnvelope(apiError.type, apiError.message, requestId);
  // Behind a response already under way (a pipelined request), an answer would land inside its body: just close.
  const busy = (socket as HttpSocket)._httpMessage?.headersSent === true;
  if (socket.writable && !busy) {
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nrequest-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
