import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';

const startedAt = Date.now();

// What someone who opens the address in a browser needs: what this is and where to look.
const HOME_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>claude-api-proxy</title></head>
<body>
<h1>claude-api-proxy ${VERSION}</h1>
<p>A local gateway for the Anthropic Messages API: Claude Code talks to it through <code>ANTHROPIC_BASE_URL</code>,
and each request is answered by a local model or forwarded to Anthropic.</p>
<ul>
<li><a href="/dashboard">/dashboard</a>: how much went local, why the rest did not, and the savings</li>
<li><a href="/health">/health</a> and <a href="/health/ready">/health/ready</a>: liveness and backend readiness</li>
<li><a href="/stats">/stats</a> and <a href="/metrics">/metrics</a>: the numbers as JSON and for Prometheus</li>
</ul>
</body></html>
`;

const HOME_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/** Liveness and the probes Claude Code makes at start; never proxied. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.head('/', async (_request, reply) => reply.code(200).send());
  app.get('/', async (_request, reply) => reply.headers(HOME_HEADERS).send(HOME_PAGE));
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
