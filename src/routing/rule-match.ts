import type { IncomingHttpHeaders } from 'node:http';
import type { RequestKind, RoutingRule } from '../config/schema.js';
import { globToRegExp, QUERY_REGEX_FLAGS } from '../shared/regex.js';
import type { Estimate } from './types.js';

/** What rules can look at, for one request. */
export interface RuleFacts {
  model: string;
  kind: RequestKind;
  /** For a count, the kind of the request it counts (a `kind: [main]` rule decides its counts too). */
  messageKind: RequestKind;
  estimate: Estimate;
  tools: boolean;
  images: boolean;
  thinking: boolean;
  query: string;
  headers: IncomingHttpHeaders;
  now: Date;
}

/** A rule ready to test: every condition compiled once, at start-up. */
export interface CompiledRule {
  index: number;
  /** The rule's `name`, or `rules[i]`. */
  name: string;
  route: RoutingRule['route'];
  matches(facts: RuleFacts): boolean;
}

type Condition = (facts: RuleFacts) => boolean;

const MINUTES_PER_DAY = 24 * 60;

function minutesOf(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** A window [from, to) in local time; one that ends before it starts wraps past midnight. `days` is the weekday of the moment tested (0 = Sunday). */
function timeCondition(time: NonNullable<RoutingRule['match']['time']>): Condition {
  const from = minutesOf(time.from);
  const to = minutesOf(time.to);
  const days = time.days ? new Set(time.days) : null;
  return ({ now }) => {
    if (days && !days.has(now.getDay())) return false;
    const minute = (now.getHours() * 60 + now.getMinutes()) % MINUTES_PER_DAY;
    return from < to ? minute >= from && minute < to : minute >= from || minute < to;
  };
}

function rangeCondition(range: { min?: number; max?: number }, read: (e: Estimate) => number): Condition {
  const min = range.min ?? 0;
  const max = range.max ?? Number.POSITIVE_INFINITY;
  return ({ estimate }) => {
    const value = read(estimate);
    return value >= min && value <= max;
  };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function conditionsOf(match: RoutingRule['match']): Condition[] {
  const conditions: Condition[] = [];
  if (match.model !== undefined) {
    const model = globToRegExp(match.model);
    conditions.push((f) => model.test(f.model));
  }
  if (match.kind !== undefined) {
    const kinds = new Set(match.kind);
    conditions.push((f) => kinds.has(f.kind) || kinds.has(f.messageKind));
  }
  if (match.queryTokens) conditions.push(rangeCondition(match.queryTokens, (e) => e.query));
  if (match.conversationTokens) conditions.push(rangeCondition(match.conversationTokens, (e) => e.conversation));
  if (match.requestTokens) conditions.push(rangeCondition(match.requestTokens, (e) => e.request));
  if (match.tools !== undefined) conditions.push((f) => f.tools === match.tools);
  if (match.images !== undefined) conditions.push((f) => f.images === match.images);
  if (match.thinking !== undefined) conditions.push((f) => f.thinking === match.thinking);
  if (match.queryRegex !== undefined) {
    const regex = new RegExp(match.queryRegex, QUERY_REGEX_FLAGS);
    conditions.push((f) => regex.test(f.query));
  }
  if (match.headers !== undefined) {
    const wanted = Object.entries(match.headers).map(([name, value]) => [name.toLowerCase(), globToRegExp(value)] as const);
    conditions.push((f) =>
      wanted.every(([name, pattern]) => {
        const value = headerValue(f.headers, name);
        return value !== undefined && pattern.test(value);
      }),
    );
  }
  if (match.time !== undefined) conditions.push(timeCondition(match.time));
  return conditions;
}

/** Compiles the configured rules; the configuration was validated, so every pattern compiles. */
export function compileRules(rules: readonly RoutingRule[]): CompiledRule[] {
  return rules.map((rule, index) => {
    const conditions = conditionsOf(rule.match);
    return {
      index,
      name: rule.name ?? `rules[${index}]`,
      route: rule.route,
      matches: (facts) => conditions.every((condition) => condition(facts)),
    };
  });
}

/** The first rule that matches, or null. */
export function firstMatch(rules: readonly CompiledRule[], facts: RuleFacts): CompiledRule | null {
  for (const rule of rules) if (rule.matches(facts)) return rule;
  return null;
}
