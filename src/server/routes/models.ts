import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { upstreamHeaders } from '../../backends/remote.js';
import { errorMessage } from '../../shared/errors.js';
import { HEADER } from '../../shared/headers.js';

interface ModelInfo {
  id: string;
  type: 'model';
  display_name: string;
  created_at: string;
}

interface ModelList {
  data: ModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

const isModelList = (v: unknown): v is ModelList =>
  typeof v === 'object' && v !== null && Array.isArray((v as ModelList).data);

/** GET /v1/models: Anthropic's list when it answers, with the configured local aliases added. */
export async function modelsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const created = new Date(0).toISOString();
  const aliases: ModelInfo[] = ctx.config.local.aliases.map((id) => ({ id, type: 'model', display_name: `${id} (local: ${ctx.config.local.model})`, created_at: created }));

  app.get('/v1/models', async (request, reply) => {
    let upstream: { status: number; headers: Record<string, string | string[] | undefined>; text: string } | null = null;
    try {
      const response = await ctx.remote.upstream.request(request.url, {
        method: 'GET',
        headers: upstreamHeaders(request.headers, ctx.remote.apiKey, request.credentialIsProxyToken, true),
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      upstream = { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    } catch (error) {
      request.log.warn({ detail: errorMessage(error) }, 'remote model list unavailable; listing local aliases only');
    }
    void reply.header(HEADER.route, 'remote');
    if (upstream && (upstream.status !== 200 || aliases.length === 0)) {
      for (const name of ['content-type', 'request-id', 'retry-after']) {
        const value = upstream.headers[name];
        if (value !== undefined) void reply.header(name, value);
      }
      return reply.code(upstream.status).send(upstream.text);
    }
    const remoteList = upstream ? safeList(upstream.text) : null;
    const data = [...aliases, ...(remoteList?.data ?? [])];
    if (upstream?.headers['request-id']) void reply.header('request-id', upstream.headers['request-id']);
    return reply
      .header('content-type', 'application/json')
      .send({ data, has_more: remoteList?.has_more ?? false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  });
}

function safeList(text: string): ModelList | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return isModelList(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
