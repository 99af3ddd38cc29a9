import type { Env } from '../config/load.js';
import { CONFIG_OPTION, text, type Command } from './command.js';
import { loadConfig } from '../config/load.js';
import { loadSecrets } from '../config/secrets.js';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { discoverConfigured, localAdvice } from '../backends/local/advice.js';
import { createLogger } from '../logger.js';
import type { AppContext } from '../server/context.js';
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

/**
 * Says at start, in the log, what keeps requests from going local (backend down, a window too small
 * for Claude Code, a URL that cannot work). Runs after listening: start-up does not wait for it.
 */
async function adviseOnLocalRoute(config: Config, ctx: AppContext, logger: Logger): Promise<void> {
  const [statuses, server] = await Promise.all([ctx.local.status(), discoverConfigured(config.local)]);
  const advice = localAdvice(config, statuses, server);
  for (const a of advice) logger[a.level === 'blocker' ? 'error' : 'warn']({ fix: a.fix }, a.text);
  if (advice.length === 0) logger.info({ local: `${config.local.kind} ${config.local.url}` }, 'local route ready');
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

  void adviseOnLocalRoute(config, ctx, logger);

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

export const command: Command = {
  usage: '[--config FILE] [--port N] [--host ADDR]',
  description: `Runs the proxy in the foreground until SIGTERM, SIGINT or SIGHUP; open streams may finish, then it exits 0.
Logs are JSON lines on stderr (readable on a terminal).`,
  options: {
    config: CONFIG_OPTION,
    port: { type: 'string', short: 'p', value: 'N', help: 'TCP port to listen on (listen.port; 0 picks a free one)' },
    host: { type: 'string', value: 'ADDR', help: 'address to bind (listen.host)' },
  },
  args: { min: 0, max: 0 },
  examples: ['claude-api-proxy serve --port 8094'],
  async run({ values }, env) {
    await serve({ config: text(values, 'config'), port: text(values, 'port'), host: text(values, 'host') }, env);
    return undefined;
  },
};
