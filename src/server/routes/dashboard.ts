import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../anthropic/errors.js';
import { DASHBOARD_JS } from '../../dashboard/client.js';
import { DASHBOARD_LOCALE_GUARD_JS } from '../../dashboard/locale-guard.js';
import { DASHBOARD_HTML } from '../../dashboard/page.js';
import { DASHBOARD_CSS } from '../../dashboard/style.js';
import { errorCode } from '../../shared/errors.js';

// The page may load and fetch from this server only; the browser enforces it.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  type: string;
  body: string | Buffer;
}

/** uPlot's browser build, read once from the installed npm package (no CDN, nothing fetched). */
async function uplotAssets(): Promise<Record<string, Asset>> {
  const dist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  const [js, css] = await Promise.all([readFile(join(dist, 'uPlot.iife.min.js')), readFile(join(dist, 'uPlot.min.css'))]);
  return {
    'uPlot.iife.min.js': { type: 'text/javascript; charset=utf-8', body: js },
    'uPlot.min.css': { type: 'text/css; charset=utf-8', body: css },
  };
}

/** GET /dashboard and its assets: one page with the numbers of /stats, charts and recent decisions. */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const assets: Record<string, Asset> = {
    'locale-guard.js': { type: 'text/javascript; charset=utf-8', body: DASHBOARD_LOCALE_GUARD_JS },
    'app.js': { type: 'text/javascript; charset=utf-8', body: DASHBOARD_JS },
    'app.css': { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS },
  };
  try {
    Object.assign(assets, await uplotAssets());
  } catch (error) {
    // The page still shows every number; the charts say their library did not load.
    app.log.warn({ code: errorCode(error) ?? String(error) }, 'uplot is not installed; the dashboard has no charts');
  }

  app.get('/dashboard', async (_request, reply) =>
    reply.headers({ ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).send(DASHBOARD_HTML),
  );

  app.get<{ Params: { name: string } }>('/dashboard/assets/:name', async (request, reply) => {
    const asset = Object.hasOwn(assets, request.params.name) ? assets[request.params.name] : undefined;
    if (!asset) throw new ApiError('not_found_error', `claude-api-proxy: no dashboard asset ${JSON.stringify(request.params.name)}`);
    return reply.headers({ ...SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': 'no-cache' }).send(asset.body);
  });
}
