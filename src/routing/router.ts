import type { Config } from '../config/schema.js';
import type { LocalLeg } from '../backends/local/types.js';
import type { Route } from '../telemetry/event.js';
import { BoundedMap } from './bounded-map.js';
import { Calibration, LOCAL_FAMILY, modelFamily } from './calibration.js';
import { CalibrationStore } from './calibration-store.js';
import { readSignals } from './classify.js';
import { decidePolicy, ESCALATIONS } from './decide.js';
import { estimateRequest, scaleEstimate } from './estimate.js';
import { latestUserText } from './query-text.js';
import { FeedbackStore } from './feedback-store.js';
import { compileRules } from './rule-match.js';
import type { Exemplar } from './task-types.js';
import type { Decision, Outcome, Router, RoutingInput } from './types.js';

/** Tool calls remembered for pinning their continuation (a Claude Code turn makes a handful). */
const MAX_PINNED_TOOL_CALLS = 10_000;
/** Sessions remembered as escalated. */
const MAX_STICKY_SESSIONS = 1_000;

export interface RouterDeps {
  /** Whether the local route exists and is currently answering (the cached probe and breaker). */
  local: Pick<LocalLeg, 'enabled' | 'healthy'>;
  now?: () => Date;
  /** Persisted calibration; without it the router learns in memory only. */
  store?: CalibrationStore;
  /** The users' corrections (claude-api-proxy feedback), for the task classifier to consult. */
  exemplars?: () => readonly Exemplar[];
}

function sessionOf(headers: RoutingInput['headers']): string | null {
  const value = headers['x-claude-code-session-id'];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The routing policy with its memory: tool-loop pins, sticky sessions and the estimate calibration.
 * Rules are compiled once here; `decide` does only per-request work.
 */
export function createRouter(config: Config, deps: RouterDeps): Router {
  const rules = compileRules(config.routing.rules);
  const calibration = deps.store?.calibration ?? new Calibration();
  const now = deps.now ?? (() => new Date());
  const pins = new BoundedMap<string, Route>(MAX_PINNED_TOOL_CALLS);
  const sticky = new BoundedMap<string, number>(MAX_STICKY_SESSIONS);
  const aliases = new Set(config.local.aliases);
  const stickyMs = config.routing.stickySessionMinutes * 60_000;
  // The raw request estimate behind each decision, for calibrating against the usage reported later.
  const rawRequest = new WeakMap<Decision, number>();

  return {
    decide(input: RoutingInput): Decision {
      const { body, headers } = input;
      const signals = readSignals(input.endpoint, body, headers);
      const query = latestUserText(body.messages);
      const raw = estimateRequest(body, query);
      const alias = aliases.has(body.model);
      const family = alias ? LOCAL_FAMILY : modelFamily(body.model);
      const factor = calibration.factor(family);
      let pinned: Route | null = null;
      for (const id of signals.toolResultIds) {
        pinned = pins.get(id) ?? null;
        if (pinned) break;
      }
      const session = stickyMs > 0 ? sessionOf(headers) : null;
      const decision = decidePolicy(config, rules, {
        model: body.model,
        alias,
        headers,
        now: input.now,
        query,
        signals,
        raw,
        estimate: scaleEstimate(raw, factor),
        family,
        factor,
        localFactor: calibration.factor(LOCAL_FAMILY),
        localEnabled: config.local.enabled && deps.local.enabled,
        localHealthy: deps.local.healthy(),
        pinned,
        stickyUntil: session === null ? null : (sticky.get(session) ?? null),
      });
      rawRequest.set(decision, raw.request);
      return decision;
    },

    observe(outcome: Outcome): void {
      const { decision } = outcome;
      for (const id of outcome.toolUseIds) pins.set(id, outcome.route);
      const raw = rawRequest.get(decision);
      if (raw !== undefined && outcome.inputTokens !== null && outcome.usageEstimated !== true) {
        calibration.observe(outcome.route === 'local' ? LOCAL_FAMILY : modelFamily(outcome.model), raw, outcome.inputTokens);
      }
      // Only a turn served remotely because it needed to escalates its session; counts and titles are not turns.
      const escalated =
        outcome.route === 'remote' && decision.route === 'remote' && decision.kind !== 'count' && decision.kind !== 'background' && ESCALATIONS.has(decision.reason);
      if (stickyMs > 0 && escalated && outcome.sessionId !== null) sticky.set(outcome.sessionId, now().getTime() + stickyMs);
    },

    calibration: () => calibration.report(),

    flush: async () => {
      await deps.store?.flush();
    },
  };
}

/**
 * The server's router: calibration read from the state directory in the background (decisions
 * until then use the uncalibrated estimate) and written back after changes.
 */
export function startRouter(config: Config, deps: Omit<RouterDeps, 'store' | 'exemplars'> & { onError?: (message: string, error: unknown) => void }): Router {
  const store = new CalibrationStore(config.state.dir, deps.onError ? { onError: deps.onError } : {});
  void store.open();
  const feedback = new FeedbackStore(config.state.dir, deps.onError ? { onError: deps.onError } : {});
  void feedback.load();
  return createRouter(config, { local: deps.local, ...(deps.now ? { now: deps.now } : {}), store, exemplars: () => feedback.exemplars });
}
