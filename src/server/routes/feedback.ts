import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../anthropic/errors.js';
import { correctionOf, FeedbackError } from '../../routing/correction.js';
import { isObject, type Json } from '../../shared/json.js';
import { isRoute } from '../../shared/vocabulary.js';
import { findEvent } from '../../telemetry/find-event.js';
import type { LiveTelemetry } from '../../telemetry/live.js';
import type { AppContext } from '../context.js';

/** Request ids are short tokens; anything longer is not one of ours. */
const MAX_REQUEST_ID_CHARS = 200;

/**
 * POST /feedback `{"request_id": "...", "expected": "local"|"remote"}`: the dashboard's
 * `claude-api-proxy feedback`. The correction goes to the store the router consults, so the next
 * prompt with the same features is decided by it, without a restart.
 */
export async function feedbackRoutes(app: FastifyInstance, ctx: AppContext, live: LiveTelemetry): Promise<void> {
  /** The event of a recent request from memory, an older one from the files (after writing what is pending). */
  const eventOf = async (requestId: string): Promise<Json | null> => {
    const recent = live.recent.find(requestId);
    if (recent !== null) return { ...recent };
    if (!ctx.config.telemetry.enabled) return null;
    await ctx.telemetry.flush();
    return findEvent(ctx.config.telemetry.dir, requestId);
  };

  app.post('/feedback', async (request, reply) => {
    const body = request.body;
    if (!isObject(body)) throw new ApiError('invalid_request_error', 'the body must be a JSON object {"request_id", "expected"}');
    const { request_id: requestId, expected } = body;
    if (typeof requestId !== 'string' || requestId === '' || requestId.length > MAX_REQUEST_ID_CHARS) {
      throw new ApiError('invalid_request_error', 'request_id must be a request id from telemetry or the recent decisions');
    }
    if (!isRoute(expected)) throw new ApiError('invalid_request_error', 'expected must be "local" or "remote"');
    const event = await eventOf(requestId);
    if (event === null) throw new ApiError('not_found_error', `no request with id ${JSON.stringify(requestId)} in the recent decisions or telemetry`);
    let correction;
    try {
      correction = correctionOf(event, requestId, expected, ctx.config.telemetry.logPrompts, ctx.now());
    } catch (error) {
      if (error instanceof FeedbackError) throw new ApiError('invalid_request_error', error.message);
      throw error;
    }
    await ctx.feedback.append(correction);
    return reply.header('cache-control', 'no-store').send({
      recorded: { request_id: requestId, expected, decided: correction.decided, reason: correction.reason },
    });
  });
}
