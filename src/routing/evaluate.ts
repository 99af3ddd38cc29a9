import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../anthropic/errors.js';
import type { MessagesRequest } from '../anthropic/types.js';
import { parseMessagesBody } from '../anthropic/validate.js';
import { firstHeader, HEADER } from '../shared/headers.js';
import { isObject } from '../shared/json.js';
import { isRoute, type Route } from '../shared/vocabulary.js';
import { errorMessage } from '../shared/errors.js';
import { latestUserText } from './query-text.js';
import type { TaskFeatures } from './task-types.js';
import type { Endpoint, Router } from './types.js';

/** One labelled request of an evaluation corpus (a line of test/fixtures/routing-eval/*.jsonl). */
export interface EvalCase {
  /** `FILE:LINE`, for messages. */
  where: string;
  endpoint: Endpoint;
  /** Null for a stored correction without its prompt: it is decided from `features`. */
  body: MessagesRequest | null;
  features?: TaskFeatures;
  /** The decision made at the time (a correction's), used when nothing can recompute it. */
  recorded?: { route: Route; reason: string };
  headers: IncomingHttpHeaders;
  expected: Route;
  /** What kind of turn it is: first-turn, follow-up, tool-loop, subagent, title, compact, count. */
  label: string;
  /** The tool_use ids the answer to this request carried (what the router learns in `observe`). */
  answerToolUseIds: string[];
  note: string;
}

/** A line that is not a labelled request; its message names the line. */
export class EvalInputError extends Error {}

function headersOf(value: unknown, where: string): IncomingHttpHeaders {
  if (value === undefined) return {};
  if (!isObject(value)) throw new EvalInputError(`${where}: headers: expected an object`);
  const headers: IncomingHttpHeaders = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string' && !(Array.isArray(v) && v.every((s) => typeof s === 'string'))) throw new EvalInputError(`${where}: headers.${name}: expected a string`);
    headers[name.toLowerCase()] = v;
  }
  return headers;
}

/** Reads one corpus line; null for a blank line. */
export function parseEvalLine(line: string, where: string): EvalCase | null {
  if (line.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new EvalInputError(`${where}: not JSON (${errorMessage(error)})`);
  }
  if (!isObject(value)) throw new EvalInputError(`${where}: expected a JSON object`);
  if (!isRoute(value.expected)) throw new EvalInputError(`${where}: expected: must be "local" or "remote"`);
  if (value.label !== undefined && typeof value.label !== 'string') throw new EvalInputError(`${where}: label: expected a string`);
  const ids = value.answer_tool_use_ids ?? [];
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw new EvalInputError(`${where}: answer_tool_use_ids: expected an array of strings`);
  if (!isObject(value.body)) throw new EvalInputError(`${where}: body: expected a Messages API request object`);
  let body: MessagesRequest;
  try {
    // Validated as the server validates a request, so routing sees only what it could see there.
    body = parseMessagesBody(Buffer.from(JSON.stringify(value.body)), false);
  } catch (error) {
    if (error instanceof ApiError) throw new EvalInputError(`${where}: body: ${error.message}`);
    throw error;
  }
  const label = value.label ?? 'request';
  return {
    where,
    endpoint: label === 'count' ? 'count_tokens' : 'messages',
    body,
    headers: headersOf(value.headers, where),
    expected: value.expected,
    label,
    answerToolUseIds: ids,
    note: typeof value.note === 'string' ? value.note : '',
  };
}

/** All the cases of one corpus file's text. */
export function parseEvalText(text: string, file: string): EvalCase[] {
  const cases: EvalCase[] = [];
  text.split('\n').forEach((line, i) => {
    const parsed = parseEvalLine(line, `${file}:${i + 1}`);
    if (parsed) cases.push(parsed);
  });
  return cases;
}

export interface Miss {
  where: string;
  label: string;
  expected: Route;
  got: Route;
  reason: string;
  /** The first 80 characters of the user's latest text (or what the turn carries instead). */
  prompt: string;
}

export interface Ratio {
  correct: number;
  total: number;
  /** correct / total; null when there is nothing to count. */
  value: number | null;
}

export interface EvalReport {
  /** confusion[expected][decided] */
  confusion: Record<Route, Record<Route, number>>;
  accuracy: Ratio;
  /** Per expected route: the share decided so (remote recall is the share of remote work kept remote). */
  recall: Record<Route, Ratio>;
  perLabel: Record<string, Ratio>;
  misses: Miss[];
}

export interface Targets {
  minAccuracy: number;
  minLocalRecall: number;
  minRemoteRecall: number;
}

/** The issue's acceptance: ≥ 95 % of complex work stays remote, ≥ 90 % of simple work is served locally. */
export const DEFAULT_TARGETS: Targets = { minAccuracy: 0, minLocalRecall: 0.9, minRemoteRecall: 0.95 };

const PROMPT_CHARS = 80;

function promptOf(c: EvalCase): string {
  if (c.body === null) return '(stored features only)';
  const text = latestUserText(c.body.messages).replace(/\s+/g, ' ').trim();
  if (text !== '') return text.slice(0, PROMPT_CHARS);
  return c.label === 'tool-loop' ? '(tool results)' : '(no user text)';
}

const ratio = (correct: number, total: number): Ratio => ({ correct, total, value: total === 0 ? null : correct / total });

function sessionOf(headers: IncomingHttpHeaders): string | null {
  return firstHeader(headers, HEADER.sessionId) || null;
}

/** Decides a task from its feature vector alone (the task classifier's scoring), for corrections stored without a prompt. */
export type FeatureDecider = (features: TaskFeatures) => { route: Route; reason: string };

export interface EvaluateOptions {
  /** The time of each decision. */
  clock: () => Date;
  decideFeatures?: FeatureDecider;
}

function decideCase(router: Router, c: EvalCase, options: EvaluateOptions): { route: Route; reason: string } {
  if (c.body === null) {
    if (options.decideFeatures && c.features) return options.decideFeatures(c.features);
    return c.recorded ? { route: c.recorded.route, reason: `recorded:${c.recorded.reason}` } : { route: 'remote', reason: 'not_recomputable' };
  }
  const decision = router.decide({ endpoint: c.endpoint, body: c.body, headers: c.headers, now: options.clock() });
  router.observe({ decision, route: decision.route, sessionId: sessionOf(c.headers), model: c.body.model, inputTokens: null, toolUseIds: c.answerToolUseIds });
  return decision;
}

/**
 * Replays the cases in order through one router, as the server would see them: each decision is
 * followed by `observe` with the route decided and the tool calls the answer made, so tool-loop
 * pins and session memory build up as in a real session.
 */
export function evaluate(router: Router, cases: readonly EvalCase[], options: EvaluateOptions): EvalReport {
  const confusion: EvalReport['confusion'] = { local: { local: 0, remote: 0 }, remote: { local: 0, remote: 0 } };
  const labels = new Map<string, { correct: number; total: number }>();
  const misses: Miss[] = [];
  for (const c of cases) {
    const decision = decideCase(router, c, options);
    confusion[c.expected][decision.route]++;
    const tally = labels.get(c.label) ?? { correct: 0, total: 0 };
    tally.total++;
    if (decision.route === c.expected) tally.correct++;
    else misses.push({ where: c.where, label: c.label, expected: c.expected, got: decision.route, reason: decision.reason, prompt: promptOf(c) });
    labels.set(c.label, tally);
  }
  const total = cases.length;
  return {
    confusion,
    accuracy: ratio(total - misses.length, total),
    recall: {
      local: ratio(confusion.local.local, confusion.local.local + confusion.local.remote),
      remote: ratio(confusion.remote.remote, confusion.remote.local + confusion.remote.remote),
    },
    perLabel: Object.fromEntries([...labels].map(([label, t]) => [label, ratio(t.correct, t.total)])),
    misses,
  };
}

/** The targets the report falls short of, as sentences (empty: all met). A route with no cases meets its target. */
export function unmetTargets(report: EvalReport, targets: Targets): string[] {
  const unmet: string[] = [];
  const check = (name: string, r: Ratio, min: number) => {
    if (r.value !== null && r.value < min) unmet.push(`${name} ${r.value.toFixed(3)} is below ${min}`);
  };
  check('accuracy', report.accuracy, targets.minAccuracy);
  check('local recall', report.recall.local, targets.minLocalRecall);
  check('remote recall', report.recall.remote, targets.minRemoteRecall);
  return unmet;
}

const show = (r: Ratio) => `${r.value === null ? '-' : r.value.toFixed(3)} (${r.correct}/${r.total})`;

/** The report as the text eval-routing prints. */
export function formatReport(report: EvalReport, targets: Targets): string {
  const c = report.confusion;
  const width = Math.max(6, ...Object.keys(report.perLabel).map((l) => l.length));
  const lines = [
    'confusion (rows: expected, columns: decided)',
    `  ${''.padEnd(8)}${'local'.padStart(8)}${'remote'.padStart(8)}`,
    `  ${'local'.padEnd(8)}${String(c.local.local).padStart(8)}${String(c.local.remote).padStart(8)}`,
    `  ${'remote'.padEnd(8)}${String(c.remote.local).padStart(8)}${String(c.remote.remote).padStart(8)}`,
    `accuracy:       ${show(report.accuracy)}${targets.minAccuracy > 0 ? `  target ${targets.minAccuracy}` : ''}`,
    `local recall:   ${show(report.recall.local)}  target ${targets.minLocalRecall}`,
    `remote recall:  ${show(report.recall.remote)}  target ${targets.minRemoteRecall}`,
    'per label:',
    ...Object.entries(report.perLabel)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, r]) => `  ${label.padEnd(width)}  ${show(r)}`),
    `misses: ${report.misses.length}`,
    ...report.misses.map((m) => `  ${m.where}  ${m.label}  expected ${m.expected}, got ${m.got} (${m.reason})  ${JSON.stringify(m.prompt)}`),
  ];
  return `${lines.join('\n')}\n`;
}
