import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from '../../anthropic/errors.js';
import { readTextUpTo } from '../read-limited.js';
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
    let upstream: Upstream | null = null;
    try {
      const response = await ctx.remote.upstream.request(request.url, {
        method: 'GET',
        headers: upstreamHeaders(request.headers, ctx.remote.apiKey, request.credentialIsProxyToken, true),
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      const text = await readTextUpTo(response.body, ctx.config.remote.maxModelListBytes);
      if (text === null) request.log.warn({ limit: ctx.config.remote.maxModelListBytes }, 'remote model list is larger than remote.maxModelListBytes; not used');
      upstream = { status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      request.log.warn({ detail: errorMessage(error) }, 'remote model list unavailable; listing local aliases only');
    }
    void reply.header(HEADER.route, 'remote');
    if (aliases.length === 0 && upstream) {
      if (upstream.text === null) {
        throw new ApiError('api_error', `claude-api-proxy: the remote model list is larger than remote.maxModelListBytes (${ctx.config.remote.maxModelListBytes} bytes)`, 502);
      }
      // Without aliases the upstream's answer is the answer, whatever its status: its headers too (Location, rate limits).
      copyHeaders(upstream.headers, reply, (name) => !DROPPED_HEADERS.has(name));
      return reply.code(upstream.status).send(upstream.text);
    }
    // The aliases are listed whatever the upstream answered; its list is added when it gave one.
    const remoteList = upstream?.status === 200 && upstream.text !== null ? safeList(upstream.text) : null;
    const data = [...aliases, ...(remoteList?.data ?? [])];
    if (upstream) copyHeaders(upstream.headers, reply, (name) => name === 'request-id' || name.startsWith('anthropic-ratelimit-'));
    return reply
      .header('content-type', 'application/json')
      .send({ data, has_more: remoteList?.has_more ?? false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  });
}

interface Upstream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Null when the body was larger than remote.maxModelListBytes. */
  text: string | null;
}

/** Framing headers describe the upstream's bytes, not this answer's. */
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'trailer', 'upgrade']);

function copyHeaders(headers: Upstream['headers'], reply: FastifyReply, keep: (name: string) => boolean): void {
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && keep(name)) void reply.header(name, value);
  }
}

function safeList(text: string): ModelList | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return isModelList(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
