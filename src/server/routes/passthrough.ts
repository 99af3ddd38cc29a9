import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { emptySummary } from '../../anthropic/usage.js';
import type { AppContext } from '../context.js';
import { sendApiError } from '../reply.js';
import { ApiError } from '../../anthropic/errors.js';
import { ClientAbort } from '../client-abort.js';

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
      await ctx.remote.forward(
        {
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: hasBody ? (request.body as Readable) : null,
          observe: false,
          replaceCredential: request.credentialIsProxyToken,
        },
        res,
        emptySummary(),
        { headers: { 'x-claude-proxy-route': 'remote', 'x-claude-proxy-reason': 'passthrough' } },
        abort,
      );
    } catch (error) {
      sendApiError(res, request.id, error instanceof ApiError ? error : new ApiError('api_error', 'claude-api-proxy: internal error'), {
        'x-claude-proxy-route': 'remote',
      });
    }
  });
}
