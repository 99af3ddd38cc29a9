import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { mintRequestId } from '../anthropic/errors.js';
import type { AppContext } from './context.js';
import { clientErrorHandler, errorHandler, notFoundHandler } from './errors.js';
import { createGuard } from './guard.js';
import { InFlight } from './in-flight.js';
import { healthRoutes } from './routes/health.js';
import { messagesRoutes } from './routes/messages.js';
import { modelsRoutes } from './routes/models.js';
import { passthroughRoutes } from './routes/passthrough.js';

/** The HTTP application. All collaborators come in through `ctx`, so tests run it against fakes. */
export async function buildApp(ctx: AppContext, logger: FastifyBaseLogger, inFlight: InFlight = new InFlight()): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    // One structured line per routed request is written by the routes; fastify's two per request are not.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: mintRequestId,
    requestIdHeader: false,
    bodyLimit: ctx.config.listen.bodyLimitBytes,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Claude Code's main requests carry 60+ headers; keep Node's limits but never trust a proxy chain.
    trustProxy: false,
    // Malformed requests and URLs fastify answers itself get the Anthropic envelope as well.
    clientErrorHandler,
    frameworkErrors: errorHandler,
  });
  app.decorateRequest('credentialIsProxyToken', false);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  inFlight.install(app);
  app.addHook('onRequest', createGuard(ctx.config.listen, ctx.inboundToken));

  await app.register(healthRoutes);
  await app.register(async (scope) => messagesRoutes(scope, ctx));
  await app.register(async (scope) => modelsRoutes(scope, ctx));
  await app.register(async (scope) => passthroughRoutes(scope, ctx));
  return app;
}
