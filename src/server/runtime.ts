import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Secrets } from '../config/secrets.js';
import { RemoteBackend } from '../backends/remote.js';
import { createLocalBackend } from '../backends/local/backend.js';
import { FeedbackStore } from '../routing/feedback-store.js';
import { startRouter } from '../routing/router.js';
import { PriceTable } from '../telemetry/pricing.js';
import { JsonlTelemetryWriter, nullTelemetry } from '../telemetry/writer.js';
import type { AppContext } from './context.js';

/** Builds the production collaborators from the configuration, once, at start-up. */
export function createContext(config: Config, secrets: Secrets, logger: Logger, overrides: Partial<AppContext> = {}): AppContext {
  const now = overrides.now ?? (() => new Date());
  const local = overrides.local ?? createLocalBackend({ config, apiKey: secrets.localApiKey, logger, now });
  const onError = (message: string, error: unknown) => logger.warn({ err: error }, `routing calibration: ${message}`);
  const feedback = overrides.feedback ?? new FeedbackStore(config.state.dir, { onError });
  return {
    config,
    now,
    inboundToken: secrets.inboundToken,
    remote: overrides.remote ?? new RemoteBackend(config.remote, secrets.remoteApiKey),
    local,
    router: overrides.router ?? startRouter(config, { local, now, onError, feedback }),
    feedback,
    telemetry: overrides.telemetry ?? (config.telemetry.enabled ? new JsonlTelemetryWriter(config.telemetry.dir, logger, { now, flushIntervalMs: config.telemetry.flushIntervalMs }) : nullTelemetry),
    prices: overrides.prices ?? new PriceTable(config.pricing.models),
    ...(overrides.onEvent ? { onEvent: overrides.onEvent } : {}),
  };
}
