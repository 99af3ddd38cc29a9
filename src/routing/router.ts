import type { Config } from '../config/schema.js';
import { firstHeader, HEADER } from '../shared/headers.js';
import type { Route } from '../shared/vocabulary.js';
import { BoundedMap } from './bounded-map.js';
import { Calibration, LOCAL_FAMILY, modelFamily } from './calibration.js';
import { CalibrationStore } from './calibration-store.js';
import { readSignals } from './classify.js';
import { looksLikeCompaction } from './compaction.js';
import { decidePolicy, ESCALATIONS, type PolicyInput, type PromptFacts, type TaskMemory } from './decide.js';
import { estimateRequest, scaleEstimate } from './estimate.js';
import { FeedbackStore } from './feedback-store.js';
import { createJudge, type JudgeBackend } from './judge.js';
import { latestUserText, systemTurnText } from './query-text.js';
import { compileRules } from './rule-match.js';
import { createTaskClassifier, type TaskClassifier } from './task.js';
import type { Exemplar, TaskVerdict } from './task-types.js';
import type { Decision, Escalation, LocalHealth, Outcome, Router, RoutingInput } from './types.js';

/** Tool calls remembered for pinning their continuation (a Claude Code turn makes a handful). */
const MAX_PINNED_TOOL_CALLS = 10_000;
/** Sessions (and subagents) whose latest task is remembered. */
const MAX_TASKS = 1_000;
const ESCALATE_PREFIX = 'escalate:';

export interface RouterDeps {
  /** Whether the local route exists and is currently answering (the cached probe and breaker); `open` lets the judge ask it. */
  local: LocalHealth & Partial<JudgeBackend>;
  now?: () => Date;
  /** Persisted calibration; without it the router learns in memory only. */
  store?: CalibrationStore;
  /** Users' corrections (claude-api-proxy feedback), read for every new prompt so new ones count at once. */
  exemplars?: () => readonly Exemplar[];
}

function headerValue(headers: RoutingInput['headers'], name: string): string | null {
  return firstHeader(headers, name) || null;
}

/** A session's main conversation and each of its subagents are separate tasks. */
function taskKey(session: string | null, agent: string | null): string | null {
  if (session === null) return null;
  return agent === null ? session : `${session}/${agent}`;
}

function escalationOf(classifier: TaskClassifier, task: TaskVerdict | null, query: string, input: RoutingInput): Escalation | null {
  // The verdict read the user's own words already; only the seed's token classifier has none.
  const inPrompt = task === null ? classifier.escalates(query) : (task.matched.find((m) => m.startsWith(ESCALATE_PREFIX))?.slice(ESCALATE_PREFIX.length) ?? null);
  if (inPrompt !== null) return { keyword: inPrompt, where: 'prompt' };
  const inSystemTurn = classifier.escalates(systemTurnText(input.body.messages));
  return inSystemTurn === null ? null : { keyword: inSystemTurn, where: 'system-turn' };
}

/**
 * The routing policy with its memory: tool-loop pins, each session's latest task and the estimate
 * calibration. Rules and the classifier's vocabulary are compiled once here; `decide` does only
 * per-request work.
 */
export function createRouter(config: Config, deps: RouterDeps): Router {
  const routing = config.routing;
  const rules = compileRules(routing.rules);
  const classifier = createTaskClassifier(routing.task);
  const judge = routing.judge.enabled && deps.local.open ? createJudge(routing.judge, { open: deps.local.open.bind(deps.local) }) : null;
  const calibration = deps.store?.calibration ?? new Calibration();
  const now = deps.now ?? (() => new Date());
  const pins = new BoundedMap<string, Route>(MAX_PINNED_TOOL_CALLS);
  const tasks = new BoundedMap<string, TaskMemory>(MAX_TASKS);
  const aliases = new Set(config.local.aliases);
  const continuationMs = routing.task.continuationMinutes * 60_000;
  // The raw request estimate behind each decision, for calibrating against the usage reported later.
  const rawRequest = new WeakMap<Decision, number>();
  // What a decision waiting for the judge was made from, to decide again with the judge's verdict.
  const awaiting = new WeakMap<Decision, PolicyInput>();
  const remember = (decision: Decision, input: PolicyInput, raw: number): Decision => {
    rawRequest.set(decision, raw);
    if (decision.awaitsJudge) awaiting.set(decision, input);
    return decision;
  };

  /** The classifier's reading of a new prompt; only called when no alias, header, pin or rule decided. */
  const readPrompt = (input: RoutingInput, query: string): PromptFacts => {
    const task: TaskVerdict | null = routing.classifier === 'task' ? classifier.classify(query) : null;
    const exemplars = task !== null ? (deps.exemplars?.() ?? []) : [];
    return {
      task,
      escalation: escalationOf(classifier, task, query, input),
      compaction: task !== null && looksLikeCompaction(input.body.messages, query, task, routing.task.compactMinChars),
      exemplar: task !== null && exemplars.length > 0 ? classifier.nearest(task.features, exemplars) : null,
    };
  };

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
      const agent = headerValue(headers, HEADER.agentId);
      const key = taskKey(headerValue(headers, HEADER.sessionId), agent);
      let facts: PromptFacts | undefined;
      const prompt = (): PromptFacts => (facts ??= readPrompt(input, query));
      const policyInput: PolicyInput = {
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
        prompt,
        previous: key === null ? null : (tasks.get(key) ?? null),
        judgeEnabled: judge !== null,
        judged: null,
        agent,
      };
      return remember(decidePolicy(config, rules, policyInput), policyInput, raw.request);
    },

    async judge(decision: Decision, signal: AbortSignal): Promise<Decision> {
      const input = awaiting.get(decision);
      if (judge === null || input === undefined) return decision;
      const judged = await judge.ask(input.query, signal);
      const next = { ...input, judged };
      return remember(decidePolicy(config, rules, next), next, rawRequest.get(decision) ?? 0);
    },

    observe(outcome: Outcome): void {
      const { decision } = outcome;
      for (const id of outcome.toolUseIds) pins.set(id, outcome.route);
      const raw = rawRequest.get(decision);
      if (raw !== undefined && outcome.inputTokens !== null && outcome.usageEstimated !== true) {
        calibration.observe(outcome.route === 'local' ? LOCAL_FAMILY : modelFamily(outcome.model), raw, outcome.inputTokens);
      }
      // A new prompt starts a task; tool loops, titles, counts and compactions do not.
      const startsTask = (decision.kind === 'main' || decision.kind === 'other') && decision.details.compaction !== true;
      const key = taskKey(outcome.sessionId, decision.details.agent ?? null);
      if (!startsTask || key === null) return;
      // Only a task served remotely because it needed to be escalates; its continuations follow it.
      const escalated = outcome.route === 'remote' && decision.route === 'remote' && ESCALATIONS.has(decision.reason);
      tasks.set(key, { route: outcome.route, escalated, until: now().getTime() + continuationMs });
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
export function startRouter(
  config: Config,
  deps: Omit<RouterDeps, 'store' | 'exemplars'> & { onError?: (message: string, error: unknown) => void; feedback?: FeedbackStore },
): Router {
  const store = new CalibrationStore(config.state.dir, deps.onError ? { onError: deps.onError } : {});
  void store.open();
  // The server passes its own store so that corrections recorded through it count at once.
  const feedback = deps.feedback ?? new FeedbackStore(config.state.dir, deps.onError ? { onError: deps.onError } : {});
  void feedback.load();
  return createRouter(config, { local: deps.local, ...(deps.now ? { now: deps.now } : {}), store, exemplars: () => feedback.exemplars });
}
