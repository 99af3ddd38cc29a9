import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, mintMessageId } from '../../anthropic/errors.js';
import { sendApiError } from '../reply.js';
import { MessageAccumulator } from '../../anthropic/accumulate.js';
import { SSE_HEADERS, SseWriter } from '../../anthropic/sse-writer.js';
import { observeEvent, observeJsonMessage } from '../../anthropic/usage.js';
import type { MessagesRequest, StreamEvent, Usage } from '../../anthropic/types.js';
import { parseMessagesBody } from '../../anthropic/validate.js';
import { LocalFailure, type LocalAnswer } from '../../backends/local/types.js';
import { withoutLocalThinking } from '../../backends/local/history.js';
import type { Endpoint } from '../../routing/types.js';
import { latestUserText } from '../../routing/query-text.js';
import { Exchange } from '../exchange.js';
import type { AppContext } from '../context.js';
import { rawBodyParser } from '../body.js';
import { ClientAbort } from '../client-abort.js';

/** One request on its way: what every step of serving it reads. */
interface Turn {
  request: FastifyRequest;
  exchange: Exchange;
  res: ServerResponse;
  /** The body as received, forwarded as these bytes on the remote route. */
  raw: Buffer;
  /** The same body parsed and checked; only read. */
  body: MessagesRequest;
  abort: ClientAbort;
}

function routeHeaders(exchange: Exchange): Record<string, string> {
  const decision = exchange.decision;
  const headers: Record<string, string> = {
    'x-claude-proxy-route': exchange.route,
    'x-claude-proxy-reason': exchange.fallback ? `fallback:${exchange.fallback.reason}` : (decision?.reason ?? 'passthrough'),
  };
  if (decision?.rule) headers['x-claude-proxy-rule'] = decision.rule;
  return headers;
}

function hasClientCredentials(request: FastifyRequest): boolean {
  return !request.credentialIsProxyToken && (request.headers['x-api-key'] !== undefined || request.headers.authorization !== undefined);
}

function sendError(res: ServerResponse, exchange: Exchange, error: ApiError): void {
  exchange.status = error.status;
  exchange.summary.errorType = error.type;
  sendApiError(res, exchange.id, error, routeHeaders(exchange));
}

/** POST /v1/messages and /v1/messages/count_tokens: parse, decide, serve locally or remotely, record. */
export async function messagesRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: ctx.config.listen.bodyLimitBytes }, rawBodyParser);
  app.addContentTypeParser('*', (_request, _payload, done) => {
    done(new ApiError('invalid_request_error', 'content-type must be application/json'), undefined);
  });

  const handle = (endpoint: Endpoint) => async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.body;
    if (!Buffer.isBuffer(raw)) throw new ApiError('invalid_request_error', 'content-type must be application/json');
    const body = parseMessagesBody(raw, false);
    const now = ctx.now();
    const exchange = new Exchange(request.id, request.url.split('?')[0] ?? request.url, body.model, now);
    exchange.stream = endpoint === 'messages' && body.stream === true;
    if (ctx.config.telemetry.logPrompts) exchange.queryText = latestUserText(body.messages);
    exchange.decision = ctx.router.decide({ endpoint, body, headers: request.headers, now });

    const res = reply.raw;
    reply.hijack();
    const abort = new ClientAbort(res);
    // Only an unsure task with routing.judge on waits for the local judge; every other request goes on at once.
    if (exchange.decision.awaitsJudge) exchange.decision = await ctx.router.judge(exchange.decision, abort.signal);
    exchange.route = exchange.decision.route;
    const turn: Turn = { request, exchange, res, raw, body, abort };

    try {
      if (exchange.route === 'local') {
        exchange.backend = ctx.local.backend;
        const serve = endpoint === 'messages' ? serveLocalMessage : serveLocalCount;
        const served = await serve(ctx, turn);
        if (!served && !abort.aborted) await fallBack(ctx, turn);
      } else {
        await serveRemote(ctx, turn);
      }
    } catch (error) {
      if (error instanceof ApiError) sendError(res, exchange, error);
      else {
        request.log.error({ err: error }, 'request failed');
        sendError(res, exchange, new ApiError('api_error', 'claude-api-proxy: internal error'));
      }
    } finally {
      if (abort.aborted && exchange.status === 0) exchange.status = 499;
      record(ctx, request, exchange, body);
    }
  };

  app.post('/v1/messages', handle('messages'));
  app.post('/v1/messages/count_tokens', handle('count_tokens'));
}

async function serveRemote(ctx: AppContext, { request, exchange, res, raw, body, abort }: Turn): Promise<void> {
  exchange.route = 'remote';
  exchange.backend = 'anthropic';
  const result = await ctx.remote.forward(
    // Thinking blocks the local route produced were never signed by Anthropic: they are removed first.
    { method: 'POST', url: request.url, headers: request.headers, body: withoutLocalThinking(raw, body), observe: true, replaceCredential: request.credentialIsProxyToken },
    res,
    exchange.summary,
    { headers: routeHeaders(exchange) },
    abort,
  );
  exchange.status = result.status;
  if (result.firstByteAt !== null) exchange.firstByte();
}

/** A local failure before the first byte: serve remotely when there are credentials, else 529. */
async function fallBack(ctx: AppContext, turn: Turn): Promise<void> {
  const { request, exchange } = turn;
  const reason = exchange.fallback?.reason ?? 'local_failed';
  if (!hasClientCredentials(request) && !ctx.remote.hasCredentials) {
    throw new ApiError(
      'overloaded_error',
      `claude-api-proxy: the local backend ${ctx.local.backend} (${ctx.config.local.url}) could not answer (${reason}) and there are no credentials for the remote API`,
    );
  }
  await serveRemote(ctx, turn);
}

function noteFailure(ctx: AppContext, request: FastifyRequest, exchange: Exchange, error: unknown): false {
  const reason = error instanceof LocalFailure ? error.reason : 'malformed';
  exchange.fallback = { from: 'local', reason };
  request.log.warn({ backend: ctx.local.backend, reason, detail: (error as Error).message }, 'local backend failed; falling back');
  return false;
}

/** Returns false when the local leg failed before anything was sent (the caller falls back). */
async function serveLocalMessage(ctx: AppContext, { request, exchange, body, res, abort }: Turn): Promise<boolean> {
  const signal = abort.signal;
  let answer: LocalAnswer;
  try {
    answer = await ctx.local.open(body, signal);
  } catch (error) {
    if (signal.aborted) return true;
    return noteFailure(ctx, request, exchange, error);
  }
  exchange.backend = answer.backend;
  exchange.usageEstimated = answer.usageEstimated;
  exchange.preparation = answer.notes;
  request.log.info({ backend: answer.backend, ...answer.notes }, 'local request prepared');
  const events = withFirst(answer);

  if (!exchange.stream) {
    const accumulator = new MessageAccumulator();
    try {
      for await (const event of events) accumulator.apply(event);
      exchange.usageEstimated = answer.usageEstimated;
      const message = accumulator.result();
      message.id ||= mintMessageId();
      observeJsonMessage(exchange.summary, message);
      exchange.status = 200;
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': exchange.id, ...routeHeaders(exchange) });
      exchange.firstByte();
      res.end(JSON.stringify(message));
      return true;
    } catch (error) {
      if (signal.aborted) return true;
      return noteFailure(ctx, request, exchange, error);
    } finally {
      await answer.rest.return?.();
    }
  }

  exchange.status = 200;
  res.writeHead(200, { ...SSE_HEADERS, 'request-id': exchange.id, ...routeHeaders(exchange) });
  const writer = new SseWriter(res);
  try {
    for await (const event of events) {
      if (signal.aborted) break;
      observeEvent(exchange.summary, event);
      await writer.write(event);
      exchange.firstByte();
    }
    exchange.usageEstimated = answer.usageEstimated;
  } catch (error) {
    if (!signal.aborted) {
      // After the first byte a fallback is impossible: one error event, then close (no fake message_stop).
      const message = `claude-api-proxy: the local backend ${answer.backend} failed mid-answer: ${(error as Error).message}`;
      exchange.summary.errorType = 'overloaded_error';
      exchange.fallback = null;
      request.log.warn({ backend: answer.backend, detail: (error as Error).message }, 'local backend failed after the answer started');
      await writer.write({ type: 'error', error: { type: 'overloaded_error', message } });
    }
  } finally {
    await answer.rest.return?.();
    writer.end();
  }
  return true;
}

async function serveLocalCount(ctx: AppContext, { request, exchange, body, res, abort }: Turn): Promise<boolean> {
  const signal = abort.signal;
  let count: number;
  try {
    count = await ctx.local.countTokens(body, signal);
  } catch (error) {
    if (signal.aborted) return true;
    return noteFailure(ctx, request, exchange, error);
  }
  exchange.status = 200;
  exchange.summary.usage = { input_tokens: count, output_tokens: 0 };
  exchange.summary.complete = true;
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': exchange.id, ...routeHeaders(exchange) });
  exchange.firstByte();
  res.end(JSON.stringify({ input_tokens: count }));
  return true;
}

async function* withFirst(answer: LocalAnswer): AsyncGenerator<StreamEvent> {
  yield answer.first;
  for (;;) {
    const next = await answer.rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** Everything the prompt cost, cached or not: what the request estimate is compared with. */
function promptTokens(usage: Usage | null): number | null {
  if (!usage) return null;
  return usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
}

function record(ctx: AppContext, request: FastifyRequest, exchange: Exchange, body: MessagesRequest): void {
  const decision = exchange.decision;
  if (decision) {
    ctx.router.observe({
      decision,
      route: exchange.route,
      sessionId: typeof request.headers['x-claude-code-session-id'] === 'string' ? request.headers['x-claude-code-session-id'] : null,
      model: body.model,
      inputTokens: promptTokens(exchange.summary.usage),
      usageEstimated: exchange.usageEstimated,
      toolUseIds: exchange.summary.toolUseIds,
    });
  }
  const event = exchange.toEvent(ctx.prices);
  ctx.telemetry.write(event);
  ctx.onEvent?.(event);
  // Every request is in telemetry already; the log line is for debugging (it costs ~10 µs a request).
  request.log.debug(
    { route: exchange.route, reason: event.metadata.reason, status: exchange.status, latencyMs: event.metadata.latency_ms, fallback: exchange.fallback?.reason },
    'routed',
  );
}
