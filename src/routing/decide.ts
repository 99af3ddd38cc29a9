import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../config/schema.js';
import { firstHeader, HEADER } from '../shared/headers.js';
import { isRoute, type Route } from '../shared/vocabulary.js';
import type { RequestSignals } from './classify.js';
import type { RequestEstimate } from './estimate.js';
import type { ReasonCode } from './reasons.js';
import { firstMatch, type CompiledRule, type RuleFacts } from './rule-match.js';
import type { JudgeNote } from './judge.js';
import type { Exemplar, TaskVerdict } from './task-types.js';
import type { Decision, DecisionDetails, Escalation, Estimate } from './types.js';

/** The max_tokens values Claude Code always sends (per model, and for its non-streaming retry): not a user's choice. */
const CLAUDE_CODE_MAX_TOKENS: ReadonlySet<number> = new Set([32_000, 64_000, 128_000]);

/**
 * Reasons that mean the task itself needed the remote model: its continuations ("yes", "go on",
 * "also handle X") stay remote for routing.task.continuationMinutes. A local backend that cannot
 * take the request (overflow, images, health) is not listed: those recur by themselves.
 */
export const ESCALATIONS: ReadonlySet<string> = new Set<ReasonCode>([
  'complex_task',
  'judge_complex',
  'unsure_task',
  'task_continues',
  'feedback',
  'ultrathink',
  'high_effort',
  'max_tokens',
  'rule',
  'complex_query',
]);

/** Reasons of a task decision that a count_tokens request reports as `count_tokens` (the route is the task's). */
const COUNT_FOLLOWS: ReadonlySet<string> = new Set<ReasonCode>([
  'complex_task',
  'simple_task',
  'unsure_task',
  'judge_simple',
  'judge_complex',
  'task_continues',
  'feedback',
  'ultrathink',
  'high_effort',
  'max_tokens',
  'complex_query',
  'simple_query',
  'medium_query',
]);

/** Everything the policy looks at for one request, already read and estimated. */
export interface PolicyInput {
  model: string;
  /** The model is one of local.aliases. */
  alias: boolean;
  headers: IncomingHttpHeaders;
  now: Date;
  query: string;
  signals: RequestSignals;
  /** Raw estimate (for fitting the local window) and the calibrated figures (for thresholds and rules). */
  raw: RequestEstimate;
  estimate: Estimate;
  family: string;
  factor: number;
  localFactor: number;
  localEnabled: boolean;
  localHealthy: boolean;
  /** The route that produced the tool calls this request answers, if remembered. */
  pinned: Route | null;
  /** What the new prompt asks, read only when no earlier step decided (computed once, then remembered). */
  prompt: () => PromptFacts;
  /** The session's previous task: where it was served, whether it escalated, and until when it can be continued. */
  previous: TaskMemory | null;
  /** The judge is configured and has a local backend to ask. */
  judgeEnabled: boolean;
  /** The judge's answer, once asked. */
  judged: JudgeNote | null;
  /** The subagent (x-claude-code-agent-id) this request belongs to. */
  agent: string | null;
}

/** What the router reads from a new prompt for the task decision. */
export interface PromptFacts {
  /** The task classifier's verdict (classifier: task). */
  task: TaskVerdict | null;
  escalation: Escalation | null;
  /** The request looks like Claude Code's /compact: a long prose instruction after a conversation. */
  compaction: boolean;
  /** The nearest feedback exemplar close enough to decide. */
  exemplar: { exemplar: Exemplar; distance: number } | null;
}

/** What the router remembers of a session's (or subagent's) latest task. */
export interface TaskMemory {
  route: Route;
  escalated: boolean;
  /** Until when (ms since epoch) a continuation of this task stays on its route. */
  until: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Whether max_tokens counts: never (off), always (strict), or unless it is a value Claude Code always sends. */
function maxTokensCounted(config: Config['routing'], signals: RequestSignals): boolean {
  if (signals.maxTokens === null || config.maxTokensRule === 'off') return false;
  if (config.maxTokensRule === 'strict') return true;
  return !(signals.claudeCode && CLAUDE_CODE_MAX_TOKENS.has(signals.maxTokens));
}

function routeOverride(headers: IncomingHttpHeaders): Route | null {
  // A client may force a route with this header (when routing.allowHeaderOverride).
  const value = firstHeader(headers, HEADER.route)?.trim().toLowerCase();
  return isRoute(value) ? value : null;
}

/** The routing policy: overrides, pins, rules, then the task (or the seed's thresholds) with Claude-Code-aware signals. */
export function decidePolicy(config: Config, rules: readonly CompiledRule[], input: PolicyInput): Decision {
  const routing = config.routing;
  const { signals, raw, estimate } = input;
  const basisTokens = estimate[routing.basis];
  const fitTokens = Math.round((raw.request - (config.local.tools === 'always' ? 0 : raw.tools)) * input.localFactor);
  const fits = fitTokens + routing.answerReserveTokens <= config.local.contextWindow;
  const effortEscalates = signals.effort !== null && routing.escalateEfforts.includes(signals.effort);
  const details: DecisionDetails = {
    client: signals.claudeCode ? 'claude-code' : 'other',
    classifier: routing.classifier,
    task: null,
    basis: routing.basis,
    basisTokens,
    thresholds: { simple: routing.simpleQueryTokens, complex: routing.complexQueryTokens },
    maxTokens: { value: signals.maxTokens, limit: routing.maxTokensRemote, rule: routing.maxTokensRule, counted: maxTokensCounted(routing, signals) },
    effort: { value: signals.effort, escalates: effortEscalates },
    images: raw.images,
    calibration: { family: input.family, factor: round3(input.factor) },
    local: {
      enabled: input.localEnabled,
      healthy: input.localHealthy,
      fitTokens,
      reserve: routing.answerReserveTokens,
      contextWindow: config.local.contextWindow,
      fits,
    },
    rule: null,
    ...(input.agent !== null ? { agent: input.agent } : {}),
    ...(input.judged !== null ? { judge: input.judged } : {}),
  };
  const decision = (route: Route, reason: ReasonCode): Decision => ({
    route,
    reason,
    // A rule that hands back to the policy (route: default) did not decide; details still name it.
    rule: details.rule !== null && details.rule.route !== 'default' ? details.rule.name : null,
    kind: signals.kind,
    estimate,
    details,
  });
  /** A local candidate goes local only if the backend can take it; otherwise it goes up, saying why. */
  const localIfPossible = (reason: ReasonCode): Decision => {
    if (!input.localEnabled) return decision('remote', 'local_disabled');
    if (!input.localHealthy) return decision('remote', 'local_unhealthy');
    if (raw.images > 0 && !config.local.vision) return decision('remote', 'images_unsupported');
    if (!fits) return decision('remote', 'context_overflow');
    return decision('local', reason);
  };
  const routed = (route: Route, reason: ReasonCode): Decision => (route === 'local' ? localIfPossible(reason) : decision('remote', reason));

  if (input.alias) return decision('local', 'local_alias');

  if (routing.allowHeaderOverride) {
    const forced = routeOverride(input.headers);
    if (forced) {
      details.override = forced;
      return decision(forced, 'header_override');
    }
  }

  if (signals.messageKind === 'tool-loop' && input.pinned) {
    details.pinned = input.pinned;
    return routed(input.pinned, 'tool_loop_pinned');
  }

  const facts: RuleFacts = {
    model: input.model,
    kind: signals.kind,
    messageKind: signals.messageKind,
    estimate,
    tools: signals.tools,
    images: raw.images > 0,
    thinking: signals.thinking,
    query: input.query,
    headers: input.headers,
    now: input.now,
  };
  const rule = firstMatch(rules, facts);
  if (rule) {
    details.rule = { index: rule.index, name: rule.name, route: rule.route };
    if (rule.route !== 'default') return routed(rule.route, 'rule');
  }

  // Counting is free on Anthropic and exact only there; a local count would be an estimate.
  if (signals.kind === 'count' && routing.countTokens === 'remote') return decision('remote', 'count_tokens');

  switch (signals.messageKind) {
    case 'tool-loop':
      // Nobody remembers which backend made these tool calls (a restart, or a pin forgotten): go up.
      return decision('remote', 'tool_loop_unpinned');
    case 'background':
      return localIfPossible('background');
    default:
      break;
  }
  const decided = decideTask(config, input, details, decision, routed);
  if (signals.kind !== 'count' || !COUNT_FOLLOWS.has(decided.reason)) return decided;
  details.follows = decided.reason;
  return { ...decided, reason: 'count_tokens' };
}

type Make = (route: Route, reason: ReasonCode) => Decision;

/** A new prompt (or a count of one): escalations the client asked for, then what the task needs. */
function decideTask(config: Config, input: PolicyInput, details: DecisionDetails, decision: Make, routed: Make): Decision {
  const routing = config.routing;
  const { signals } = input;
  const { task, escalation, compaction, exemplar: nearest } = input.prompt();
  details.task = task;
  if (escalation !== null) {
    details.escalation = escalation;
    return decision('remote', 'ultrathink');
  }
  if (details.effort.escalates) return decision('remote', 'high_effort');
  if (details.maxTokens.counted && (signals.maxTokens ?? 0) > routing.maxTokensRemote) return decision('remote', 'max_tokens');
  if (task === null) {
    if (details.basisTokens > routing.complexQueryTokens) return decision('remote', 'complex_query');
    return routed('local', details.basisTokens < routing.simpleQueryTokens ? 'simple_query' : 'medium_query');
  }
  if (compaction) {
    // The summary replaces the history: it is written where the session's work was being done.
    details.compaction = true;
    return routed(input.previous?.route ?? 'local', 'compact');
  }
  if (nearest !== null) {
    const { exemplar, distance } = nearest;
    details.exemplar = { requestId: exemplar.requestId, distance, expected: exemplar.expected };
    return routed(exemplar.expected, 'feedback');
  }
  const previous = input.previous;
  if (previous !== null && previous.escalated && previous.until > input.now.getTime() && task.features.continuation === 1) {
    details.continues = { until: new Date(previous.until).toISOString() };
    return decision('remote', 'task_continues');
  }
  if (task.complexity === 'complex') return decision('remote', 'complex_task');
  if (task.complexity === 'simple') return routed('local', 'simple_task');
  const verdict = input.judged?.verdict ?? null;
  if (verdict !== null) return routed(verdict === 'complex' ? 'remote' : 'local', verdict === 'complex' ? 'judge_complex' : 'judge_simple');
  const unsure = routed(routing.task.unsure, 'unsure_task');
  // Only a decision the judge could still change waits for it (the server awaits Router.judge).
  const judgeCanAnswer = input.judgeEnabled && input.judged === null && input.localEnabled && input.localHealthy;
  return judgeCanAnswer && unsure.reason === 'unsure_task' ? { ...unsure, awaitsJudge: true } : unsure;
}
