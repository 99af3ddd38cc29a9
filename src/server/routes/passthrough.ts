import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HEADER } from '../../shared/headers.js';
import type { AppContext } from '../context.js';
import { sendApiError } from '../reply.js';
import { ApiError } from '../../anthropic/errors.js';
import { ClientAbort } from '../client-abort.js';

const PASSTHROUGH_HEADERS = { [HEADER.route]: 'remote', [HEADER.reason]: 'passthrough' };

/** Every other `/v1/*` route goes to Anthropic unchanged, the request body streamed, not buffered. */
export async function passthroughRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.all('/v1/*', async (request: FastifyRequest, reply: FastifyReply) => {
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
