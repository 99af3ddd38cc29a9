import type { FastifyInstance } from 'fastify';
import type { LiveTelemetry } from '../../telemetry/live.js';

/** GET /metrics: Prometheus text format from this server's own registry. */
export async function metricsRoutes(app: FastifyInstance, live: LiveTelemetry): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await live.metrics.scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
