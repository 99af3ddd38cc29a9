import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../anthropic/errors.js';
import { parseMessagesBody } from '../../anthropic/validate.js';
import { LocalFailure } from '../../backends/local/types.js';
import { latestUserText } from '../../routing/query-text.js';
import { boundedEvent } from '../../telemetry/bounded-event.js';
import type { Endpoint } from '../../shared/vocabulary.js';
import { rawBodyParser } from '../body.js';
import type { AppContext } from '../context.js';
import { Exchange } from '../exchange.js';
import { sendApiError } from '../reply.js';

/** POST /v1/messages and /v1/messages/count_tokens: parse, decide, serve locally or remotely, record. */
export async function messagesRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: ctx.config.listen.bodyLimitBytes }, rawBodyParser);
  app.addContentTypeParser('*', (_request, _payload, done) => {
    done(new ApiError('invalid_request_error', 'content-type must be application/json'), undefined);
  });
  const handle = (endpoint: Endpoint) => async (request: FastifyRequest, reply: FastifyReply) => {
    const exchange = open(ctx, endpoint, request, reply);
    try {
      // Only an unsure task with routing.judge on waits for the local judge; every other request goes on at once.
      if (exchange.decision.awaitsJudge) exchange.judged(await ctx.router.judge(exchange.decision, exchange.signal));
      if (exchange.route === 'local') {
        exchange.backend = ctx.local.backend;
        await ctx.local.serve(exchange, exchange.res).catch((error: unknown) => {
          if (!(error instanceof LocalFailure)) throw error;
          return fallBack(ctx, exchange, error);
        });
      } else {
        await serveRemote(ctx, exchange);
      }
    } catch (error) {
      fail(exchange, error);
    } finally {
      exchange.end();
      record(ctx, exchange);
    }
  };

  app.post('/v1/messages', handle('messages'));
  app.post('/v1/messages/count_tokens', handle('count_tokens'));
}

/** Parses and decides; parse errors are still fastify's to answer, everything after is the exchange's. */
function open(ctx: AppContext, endpoint: Endpoint, request: FastifyRequest, reply: FastifyReply): Exchange {
  const raw = request.body;
  if (!Buffer.isBuffer(raw)) throw new ApiError('invalid_request_error', 'content-type must be application/json');
  const body = parseMessagesBody(raw, false);
  const now = ctx.now();
  const decision = ctx.router.decide({ endpoint, body, headers: request.headers, now });
  const queryText = ctx.config.telemetry.logPrompts ? latestUserText(body.messages) : undefined;
  const exchange = new Exchange({ request, res: reply.raw, endpoint, raw, body, decision, now, ...(queryText !== undefined ? { queryText } : {}) });
  reply.hijack();
  return exchange;
}

function serveRemote(ctx: AppContext, exchange: Exchange): Promise<void> {
  exchange.servedRemotely();
  return ctx.remote.serve(exchange, exchange.res);
}

/** A local failure before the first byte: serve remotely when there are credentials, else 529. */
async function fallBack(ctx: AppContext, exchange: Exchange, failure: LocalFailure): Promise<void> {
  exchange.fellBack(failure.reason);
  exchange.log.warn({ backend: ctx.local.backend, reason: failure.reason, detail: failure.message }, 'local backend failed; falling back');
  if (exchange.aborted) return;
  if (!exchange.hasClientCredentials && !ctx.remote.hasCredentials) {
    throw new ApiError(
      'overloaded_error',
      `claude-api-proxy: the local backend ${ctx.local.backend} (${ctx.config.local.url}) could not answer (${failure.reason}) and there are no credentials for the remote API`,
    );
  }
  await serveRemote(ctx, exchange);
}

/** The one error answer of the route, whatever was thrown (nothing is sent once an answer is under way). */
function fail(exchange: Exchange, error: unknown): void {
  let apiError: ApiError;
  if (error instanceof ApiError) apiError = error;
  else {
    exchange.log.error({ err: error }, 'request failed');
    apiError = new ApiError('api_error', 'claude-api-proxy: internal error');
  }
  exchange.failed(apiError.status, apiError.type);
  sendApiError(exchange.res, exchange.id, apiError, exchange.responseHeaders());
}

function record(ctx: AppContext, exchange: Exchange): void {
  ctx.router.observe(exchange.outcome());
  // Cut once, here: the file, the metrics, the recent decisions and the log line all see the same event.
  const event = boundedEvent(exchange.toEvent(ctx.prices), ctx.config.telemetry);
  ctx.telemetry.write(event);
  ctx.onEvent?.(event);
  // One line per request at the default level, so that a log alone shows where each went (log.requests).
  const level = ctx.config.log.requests;
  if (level === 'off') return;
  exchange.log[level](
    { route: exchange.route, reason: event.metadata.reason, status: exchange.status, model: event.metadata.model, latencyMs: event.metadata.latency_ms, fallback: event.metadata.fallback?.reason },
    'routed',
  );
}
