import type { FastifyInstance } from 'fastify';
import { CachedProbe, componentStatus, probeRemote, type ComponentStatus } from '../../backends/health.js';
import type { AppContext } from '../context.js';

export interface Readiness {
  /** ready: everything configured works; degraded: something is down but requests can be served; unavailable: nothing can serve. */
  status: 'ready' | 'degraded' | 'unavailable';
  backends: ComponentStatus[];
}

/** The remote API's reachability, probed without credentials and cached like the local probes. */
export function remoteProbe(ctx: AppContext): CachedProbe {
  return new CachedProbe(
    () => probeRemote(ctx.remote.upstream),
    ctx.config.local.healthCacheMs,
    () => ctx.now().getTime(),
  );
}

export function readiness(backends: ComponentStatus[]): Readiness {
  const up = (name: ComponentStatus['name']) => backends.some((b) => b.name === name && b.state === 'up');
  const requiredDown = backends.some((b) => b.required && b.state === 'down');
  const status = !up('local') && !up('remote') ? 'unavailable' : requiredDown ? 'degraded' : 'ready';
  return { status, backends };
}

/** GET /health/ready: each backend probed (cached), with what to fix; 503 when nothing can serve. */
export async function readyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const remote = remoteProbe(ctx);
  app.get('/health/ready', async (_request, reply) => {
    const [local, remoteResult] = await Promise.all([ctx.local.status(), remote.check()]);
    const report = readiness([...local, componentStatus('remote', ctx.config.remote.url, true, remoteResult)]);
    return reply.code(report.status === 'unavailable' ? 503 : 200).header('cache-control', 'no-store').send(report);
  });
}
