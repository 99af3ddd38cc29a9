import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Secrets } from '../../src/config/secrets.js';
import { buildApp } from '../../src/server/app.js';
import type { AppContext } from '../../src/server/context.js';
import { createContext } from '../../src/server/runtime.js';
import { shutdown } from '../../src/server/shutdown.js';
import { InFlight } from '../../src/server/in-flight.js';
import type { TelemetryEvent } from '../../src/telemetry/event.js';

export interface RunningProxy {
  url: string;
  app: FastifyInstance;
  ctx: AppContext;
  config: Config;
  /** Telemetry events in the order they were written. */
  events: TelemetryEvent[];
  /** A private temporary HOME for this proxy (telemetry and state live below it). */
  home: string;
  close(): Promise<void>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * Starts the real server on an ephemeral loopback port with a temporary HOME.
 * `settings` is a config document as a user would write it.
 */
export async function startProxy(
  settings: DeepPartial<Config> | Record<string, unknown> = {},
  options: { secrets?: Partial<Secrets>; ctx?: Partial<AppContext>; env?: Record<string, string> } = {},
): Promise<RunningProxy> {
  const home = await mkdtemp(join(tmpdir(), 'cap-test-'));
  const document = structuredClone(settings) as Record<string, unknown>;
  const listen = (document.listen ?? {}) as Record<string, unknown>;
  document.listen = { port: 0, ...listen };
  const config = resolveConfig(document, { HOME: home, ...options.env });
  const events: TelemetryEvent[] = [];
  const secrets: Secrets = { remoteApiKey: null, inboundToken: null, localApiKey: null, ...options.secrets };
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const ctx = createContext(config, secrets, logger, { onEvent: (e) => events.push(e), ...options.ctx });
  const inFlight = new InFlight();
  const app = await buildApp(ctx, logger, inFlight);
  await app.listen({ host: config.listen.host, port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    ctx,
    config,
    events,
    home,
    async close() {
      await shutdown(app, ctx, inFlight, config.listen.drainTimeoutMs);
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Polls until `read` (sync or async) gives a truthy value, and returns it; for effects that land just after a response ends. */
export async function eventually<T>(read: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
