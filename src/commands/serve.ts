import type { Env } from '../config/load.js';
import { loadConfig } from '../config/load.js';
import { loadSecrets } from '../config/secrets.js';
import { createLogger } from '../logger.js';
import { buildApp } from '../server/app.js';
import { createContext } from '../server/runtime.js';
import { shutdown } from '../server/shutdown.js';
import { InFlight } from '../server/in-flight.js';
import { VERSION } from '../version.js';

export interface ServeOptions {
  config?: string;
  port?: string;
  host?: string;
}

/** Runs the proxy until SIGTERM/SIGINT/SIGHUP, then drains open streams, flushes telemetry and exits 0. */
export async function serve(options: ServeOptions, env: Env): Promise<void> {
  const { config, file } = await loadConfig({ file: options.config, env, port: options.port, host: options.host });
  const logger = createLogger(config.log.level);
  const secrets = await loadSecrets(config, env);
  const ctx = createContext(config, secrets, logger);
  const inFlight = new InFlight();
  const app = await buildApp(ctx, logger, inFlight);
  await app.listen({ host: config.listen.host, port: config.listen.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  logger.info(
    { version: VERSION, config: file ?? 'defaults', local: `${config.local.kind} ${config.local.url}`, remote: config.remote.url, telemetry: config.telemetry.enabled ? config.telemetry.dir : 'off' },
    `claude-api-proxy listening on http://${config.listen.host}:${port}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainTimeoutMs: config.listen.drainTimeoutMs }, 'stopping: no new connections, open streams may finish');
    await shutdown(app, ctx, inFlight, config.listen.drainTimeoutMs, () => logger.warn('drain timeout reached; closing the remaining connections'));
    logger.info({ telemetry: ctx.telemetry.counters }, 'stopped');
    logger.flush();
    process.exitCode = 0;
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  // There is no reload: a hang-up (a closed terminal, a supervisor's reload) drains and exits like SIGTERM.
  process.once('SIGHUP', () => void stop('SIGHUP'));
}
