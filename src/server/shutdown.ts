import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.js';
import type { InFlight } from './in-flight.js';

/**
 * Stops accepting, lets open responses finish for up to `drainMs`, closes the remaining
 * keep-alive connections, then flushes telemetry. Node only closes the connections idle at the
 * moment close() is called; waiting for the in-flight count makes the drain end when work ends.
 */
export async function shutdown(app: FastifyInstance, ctx: AppContext, inFlight: InFlight, drainMs: number, onTimeout: () => void = () => undefined): Promise<void> {
  const closed = app.close();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), drainMs);
  });
  if (await Promise.race([inFlight.drained().then(() => false), timedOut])) onTimeout();
  clearTimeout(timer);
  app.server.closeAllConnections();
  await closed;
  await Promise.all([ctx.telemetry.flush(), ctx.router.flush()]);
  await Promise.all([ctx.remote.close(), ctx.local.close()]);
}
