import type { ServerOptions } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { mintRequestId } from '../anthropic/errors.js';
import type { Config } from '../config/schema.js';
import type { AppContext } from './context.js';
import { clientErrorHandler, connectHandler, errorHandler, expectationFailedHandler, notFoundHandler } from './errors.js';
import { createGuard } from './guard.js';
import { InFlight } from './in-flight.js';
import { oneAtATimePerConnection } from './pipelining.js';
import { healthRoutes } from './routes/health.js';
import { readyRoutes } from './routes/ready.js';
import { messagesRoutes } from './routes/messages.js';
import { modelsRoutes } from './routes/models.js';
import { passthroughRoutes } from './routes/passthrough.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { metricsRoutes } from './routes/metrics.js';
import { statsRoutes } from './routes/stats.js';
import { feedbackRoutes } from './routes/feedback.js';
import { LiveTelemetry } from '../telemetry/live.js';

/** Node's listener limits; the request timeout is checked at a tenth of its length (Node: every 30 s). */
function listenerOptions(listen: Config['listen']): ServerOptions {
  return {
    // The guard refuses a missing Host in the error envelope; Node's own answer would be a bare 400.
    requireHostHeader: false,
    headersTimeout: Math.min(60_000, listen.requestTimeoutMs),
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.round(listen.requestTimeoutMs / 10))),
  };
}

/** The HTTP application. All collaborators come in through `ctx`, so tests run it against fakes. */
export async function buildApp(ctx: AppContext, logger: FastifyBaseLogger, inFlight: InFlight = new InFlight()): Promise<FastifyInstance> {
  // This app's metrics, recent decisions and stats cache see every event, then the caller's observer does.
  const live = new LiveTelemetry(ctx, logger);
  ctx = live.attach(ctx);
  const app = Fastify({
    loggerInstance: logger,
    // Every request is in telemetry; fastify's two log lines per request would only cost time.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: mintRequestId,
    requestIdHeader: false,
    bodyLimit: ctx.config.listen.bodyLimitBytes,
    // Receiving a request is bounded (a trickled body is cut with 408); a streamed answer is not.
    requestTimeout: ctx.config.listen.requestTimeoutMs,
    http: listenerOptions(ctx.config.listen),
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Claude Code's main requests carry 60+ headers; keep Node's limits but never trust a proxy chain.
    trustProxy: false,
    // Malformed requests and URLs fastify answers itself get the Anthropic envelope as well.
    clientErrorHandler,
    frameworkErrors: errorHandler,
  });
  app.server.maxConnections = ctx.config.listen.maxConnections;
  app.server.on('checkExpectation', expectationFailedHandler);
  app.server.on('connect', connectHandler);
  app.decorateRequest('credentialIsProxyToken', false);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  // First: a pipelined request that is never served must not be counted as in flight.
  app.addHook('onRequest', oneAtATimePerConnection);
  inFlight.install(app);
  app.addHook('onRequest', createGuard(ctx.config.listen, ctx.inboundToken));
  app.addHook('onReady', async () => live.start());
  app.addHook('onClose', async () => live.close());

  await app.register(healthRoutes);
  await app.register(async (scope) => readyRoutes(scope, ctx));
  await app.register(async (scope) => messagesRoutes(scope, ctx));
  await app.register(async (scope) => modelsRoutes(scope, ctx));
  await app.register(async (scope) => passthroughRoutes(scope, ctx));
  await app.register(async (scope) => statsRoutes(scope, ctx, live));
  await app.register(async (scope) => metricsRoutes(scope, live));
  await app.register(async (scope) => feedbackRoutes(scope, ctx, live));
  await app.register(dashboardRoutes);
  return app;
}
