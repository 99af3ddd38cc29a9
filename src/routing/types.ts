import type { IncomingHttpHeaders } from 'node:http';
import type { Config, RequestKind } from '../config/schema.js';
import type { MessagesRequest } from '../anthropic/types.js';
import type { Endpoint, Route } from '../shared/vocabulary.js';
import type { ReasonCode } from './reasons.js';
import type { CalibrationReport } from './calibration.js';
import type { JudgeNote } from './judge.js';
import type { TaskVerdict } from './task-types.js';

/** Token estimates on the three bases the policy can use. */
export interface Estimate {
  /** The latest user-authored text, without system reminders and tool results. */
  query: number;
  /** All messages. */
  conversation: number;
  /** Everything that will be sent: system, messages, tools. */
  request: number;
}

export type { Endpoint, Route };

export interface RoutingInput {
  endpoint: Endpoint;
  body: MessagesRequest;
  headers: IncomingHttpHeaders;
  now: Date;
}

/** A routing decision and why it was made. */
export interface Decision {
  route: Route;
  /** A stable reason code (see reasons.ts), e.g. `simple_task`, `complex_task`, `rule`, `context_overflow`. */
  reason: ReasonCode;
  /** The name (or index) of the rule that decided, if one did. */
  rule: string | null;
  kind: RequestKind;
  estimate: Estimate;
  /** The figures behind the decision (task verdict, basis, thresholds, …), for the explain output and telemetry. */
  details: DecisionDetails;
  /** The task classifier was unsure and the judge is on: `Router.judge` gives the decision to serve. */
  awaitsJudge?: true;
}

/** A keyword asking for the strongest model, and where it was found. */
export interface Escalation {
  keyword: string;
  where: 'prompt' | 'system-turn';
}

/** The figures behind a decision (what `Decision.details` holds). */
export type DecisionDetails = {
  client: 'claude-code' | 'other';
  classifier: Config['routing']['classifier'];
  task: TaskVerdict | null;
  basis: Config['routing']['basis'];
  basisTokens: number;
  thresholds: { simple: number; complex: number };
  maxTokens: { value: number | null; limit: number; rule: Config['routing']['maxTokensRule']; counted: boolean };
  effort: { value: string | null; escalates: boolean };
  images: number;
  calibration: { family: string; factor: number };
  local: { enabled: boolean; healthy: boolean; fitTokens: number; reserve: number; contextWindow: number; fits: boolean };
  rule: { index: number; name: string; route: string } | null;
  pinned?: Route;
  override?: Route;
  escalation?: Escalation;
  compaction?: true;
  continues?: { until: string };
  exemplar?: { requestId: string; distance: number; expected: Route };
  judge?: JudgeNote;
  /** A count_tokens request: the reason of the task decision whose route it takes. */
  follows?: ReasonCode;
  agent?: string;
};


/** What the router learns after a request was served. */
export interface Outcome {
  decision: Decision;
  route: Route;
  sessionId: string | null;
  model: string;
  /**
   * All input tokens the backend reported: input + cache read + cache creation (with prompt caching,
   * `input_tokens` alone is only the uncached tail). Null when unknown.
   */
  inputTokens: number | null;
  /** True when the usage was counted by the proxy, not reported by a backend: not learnt from. */
  usageEstimated?: boolean;
  toolUseIds: string[];
}

/** What routing needs to know of the local backend (the cached probe and the breaker, read per request). */
export interface LocalHealth {
  readonly enabled: boolean;
  healthy(): boolean;
}

export interface Router {
  /** Synchronous and cheap: everything but the optional judge. */
  decide(input: RoutingInput): Decision;
  /**
   * For a decision with `awaitsJudge`: asks the local judge (within routing.judge.timeoutMs) and
   * decides again with its verdict. Never rejects; on timeout or failure the classifier's route stands.
   */
  judge(decision: Decision, signal: AbortSignal): Promise<Decision>;
  observe(outcome: Outcome): void;
  /** Per-model-family correction factors and the estimate's observed error, for stats. */
  calibration(): CalibrationReport;
  /** Writes pending calibration to the state directory (call on shutdown). */
  flush(): Promise<void>;
}
