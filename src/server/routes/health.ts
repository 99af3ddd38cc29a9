import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';

const startedAt = Date.now();

/** Liveness and the probes Claude Code makes at start; never proxied. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.head('/', async (_request, reply) => reply.code(200).send());
  app.head('/api/hello', async (_request, reply) => reply.code(200).send());
  app.get(
    '/health',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, version: { type: 'string' }, uptime_s: { type: 'number' } },
          },
        },
      },
    },
    async () => ({ status: 'ok', version: VERSION, uptime_s: Math.round((Date.now() - startedAt) / 1000) }),
  );
}
