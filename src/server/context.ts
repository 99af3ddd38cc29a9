import type { Config } from '../config/schema.js';
import type { RemoteBackend } from '../backends/remote.js';
import type { LocalBackend } from '../backends/local/types.js';
import type { FeedbackStore } from '../routing/feedback-store.js';
import type { Router } from '../routing/types.js';
import type { TelemetryEvent } from '../telemetry/event.js';
import type { TelemetrySink } from '../telemetry/writer.js';
import type { PriceTable } from '../telemetry/pricing.js';

/** Everything a route needs, built once at start-up and injected (tests pass their own parts). */
export interface AppContext {
  config: Config;
  now: () => Date;
  router: Router;
  /** The users' corrections the router consults; POST /feedback appends to it. */
  feedback: FeedbackStore;
  remote: RemoteBackend;
  local: LocalBackend;
  telemetry: TelemetrySink;
  prices: PriceTable;
  /** Inbound token clients must present, when configured. */
  inboundToken: string | null;
  /** Called with every telemetry event (metrics, recent decisions). */
  onEvent?: (event: TelemetryEvent) => void;
}
