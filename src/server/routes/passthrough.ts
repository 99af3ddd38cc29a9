import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HEADER } from '../../shared/headers.js';
import type { AppContext } from '../context.js';
import { sendApiError } from '../reply.js';
import { ApiError } from '../../anthropic/errors.js';
import { ClientAbort } from '../client-abort.js';
import { pathOf } from '../../shared/path.js';

const PASSTHROUGH_HEADERS = { [HEADER.route]: 'remote', [HEADER.reason]: 'passthrough' };

/** The methods the Anthropic API uses; anything else (TRACE, PUT, …) is never forwarded. */
const FORWARDED_METHODS = new Set(['GET', 'POST', 'DELETE']);
const ALLOWED = [...FORWARDED_METHODS].join(', ');
/** API paths are plain segments (ids, names); no empty segment, trailing slash, `;`, `%` or case games. */
const API_PATH = /^\/v1(?:\/[A-Za-z0-9_.~-]+)+$/;
/** Paths the messages routes serve (routed, recorded, priced); a near miss must not slip past them. */
const ROUTED_PATHS = new Set(['/v1/messages', '/v1/messages/count_tokens']);

/** Why a request may not be passed through, or null: it would skip routing or reach the API in a form it never uses. */
function refusal(method: string, url: string): ApiError | null {
  const path = pathOf(url);
  if (!API_PATH.test(path)) return new ApiError('not_found_error', `claude-api-proxy: ${JSON.stringify(path)} is not an API path (empty segment, trailing slash, ";" or "%")`);
  if (ROUTED_PATHS.has(path)) return new ApiError('invalid_request_error', `claude-api-proxy: ${path} takes POST`, 405, { allow: 'POST' });
  const lower = path.toLowerCase();
  if (ROUTED_PATHS.has(lower)) return new ApiError('not_found_error', `claude-api-proxy: no route for ${path} (paths are case-sensitive: ${lower})`);
  if (!FORWARDED_METHODS.has(method)) return new ApiError('invalid_request_error', `claude-api-proxy: ${method} is not forwarded`, 405, { allow: ALLOWED });
  return null;
}

/** Every other `/v1/*` route goes to Anthropic unchanged, the request body streamed, not buffered. */
export async function passthroughRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.all('/v1/*', async (request: FastifyRequest, reply: FastifyReply) => {
    const refused = refusal(request.method, request.url);
    if (refused) throw refused;
    const res = reply.raw;
    reply.hijack();
    const abort = new ClientAbort(res);
    const hasBody = request.body !== undefined && request.body !== null;
    try {
      await ctx.remote.serve(
        {
          method: request.method,
          url: request.url,
          headers: request.headers,
          outbound: hasBody ? (request.body as Readable) : null,
          replaceCredential: request.credentialIsProxyToken,
          cancellation: abort,
          observer: null,
          responseHeaders: () => PASSTHROUGH_HEADERS,
        },
        res,
      );
    } catch (error) {
      sendApiError(res, request.id, error instanceof ApiError ? error : new ApiError('api_error', 'claude-api-proxy: internal error'), {
        [HEADER.route]: 'remote',
      });
    }
  });
}
