import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorEnvelope, errorTypeForStatus, mintRequestId } from '../anthropic/errors.js';
import { errorReply, sendApiError } from './reply.js';
import { pathOf } from '../shared/path.js';

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

/**
 * A reply sent before the request body has arrived (a refusal) ends the connection: otherwise Node
 * keeps reading whatever the client still trickles, and the socket stays open.
 */
function closeIfUnread(request: FastifyRequest, reply: FastifyReply): void {
  if (!request.raw.complete) void reply.header('connection', 'close');
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toApiError(error);
  if (apiError.status >= 500 && !(error instanceof ApiError)) request.log.error({ err: error }, 'unhandled error');
  closeIfUnread(request, reply);
  const answer = errorReply(apiError, request.id);
  void reply.code(answer.status).headers(answer.headers).send(answer.body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const message = `claude-api-proxy: no route for ${request.method} ${pathOf(request.url)}`;
  closeIfUnread(request, reply);
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

/** Node answers an `Expect` it does not know with a bare 417; this one is in the envelope. */
export function expectationFailedHandler(request: IncomingMessage, res: ServerResponse): void {
  const message = `claude-api-proxy: expect ${JSON.stringify(request.headers.expect ?? '')} is not supported`;
  sendApiError(res, mintRequestId(), new ApiError('invalid_request_error', message, 417), { connection: 'close' });
}

/** CONNECT would make the proxy a tunnel; Node's default is to drop the socket without a word. */
export function connectHandler(_request: IncomingMessage, socket: Socket): void {
  const requestId = mintRequestId();
  const body = errorEnvelope('invalid_request_error', 'claude-api-proxy: CONNECT is not supported (this is not a forward proxy)', requestId);
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 405 ${STATUS_CODES[405]}\r\nallow: GET, HEAD, POST, DELETE\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nrequest-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}

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
