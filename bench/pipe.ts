// The baselines: a minimal fastify + undici pipe that forwards the raw bytes (optionally after a
// JSON.parse of the body, the least work a routing proxy must do).
import Fastify from 'fastify';
import { Agent, buildConnector, Pool, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { SpareConnector } from '../src/upstream/spare-connection.js';

const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'te', 'trailer', 'proxy-connection']);

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP.has(name)) out[name] = value;
  return out;
}

/**
 * `spare`: one pool with the proxy's spare connection, as its local route has, for a server that
 * closes its connection after each answer (llama-server); otherwise an Agent, as for Anthropic.
 */
export async function startPipe(upstream: string, port: number, parse: boolean, spare = false): Promise<() => Promise<void>> {
  const dispatcher: Dispatcher = spare
    ? new Pool(upstream, { connect: new SpareConnector(buildConnector({ timeout: 10_000 })).connect, keepAliveTimeout: 60_000 })
    : new Agent({ keepAliveTimeout: 60_000 });
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/v1/messages', async (request, reply) => {
    const body = request.body as Buffer;
    if (parse) JSON.parse(body.toString('utf8'));
    const res: Dispatcher.ResponseData = await dispatcher.request({ origin: upstream, path: request.url, method: 'POST', headers: forwardable(request.headers), body });
    return reply.code(res.statusCode).headers(forwardable(res.headers)).send(res.body);
  });
  await app.listen({ host: '127.0.0.1', port });
  return async () => {
    await app.close();
    await dispatcher.close();
  };
}
