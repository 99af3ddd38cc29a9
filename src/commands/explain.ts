import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../anthropic/errors.js';
import { parseMessagesBody } from '../anthropic/validate.js';
import { loadConfig, type Env } from '../config/load.js';
import { CalibrationStore } from '../routing/calibration-store.js';
import { FeedbackStore } from '../routing/feedback-store.js';
import { describeReason } from '../routing/reasons.js';
import { createRouter } from '../routing/router.js';
import type { Decision, DecisionDetails, Endpoint } from '../routing/types.js';
import { errorCode, errorMessage } from '../shared/errors.js';
import { CONFIG_OPTION, flag, list, text, type Command, type Io, type Values } from './command.js';

class InputError extends Error {}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

async function readRequest(file: string | undefined, stdin: NodeJS.ReadableStream): Promise<Buffer> {
  if (file === undefined) {
    if ((stdin as { isTTY?: boolean }).isTTY === true) throw new InputError('give the request body on stdin (explain < request.json) or as a file name');
    return readAll(stdin);
  }
  try {
    return await readFile(file);
  } catch (error) {
    throw new InputError(`cannot read ${file} (${errorCode(error) ?? String(error)})`);
  }
}

function parseHeaders(lines: readonly string[]): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new InputError(`--header ${JSON.stringify(line)}: expected 'name: value'`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function describeMaxTokens(m: DecisionDetails['maxTokens'], client: string): string {
  if (m.value === null) return 'not given';
  if (m.counted) return `${m.value} (counted: above ${m.limit} goes remote)`;
  if (m.rule === 'off') return `${m.value} (not counted: maxTokensRule off)`;
  return `${m.value} (not counted: a value ${client === 'claude-code' ? 'Claude Code' : 'the client'} always sends; maxTokensRule ${m.rule})`;
}

function describeRule(rule: DecisionDetails['rule']): string {
  if (rule === null) return '(none)';
  const at = `rules[${rule.index}]`;
  const name = rule.name === at ? at : `${rule.name} (${at})`;
  return rule.route === 'default' ? `${name} matched and handed back to the policy` : `${name}, route ${rule.route}`;
}

function describeTask(d: DecisionDetails): string {
  if (d.task === null) return d.classifier === 'tokens' ? '(classifier: tokens)' : '(not read: an earlier step decided, or not a new prompt)';
  const { complexity, score, matched } = d.task;
  return `${complexity}, score ${score}${matched.length > 0 ? `: ${matched.join(', ')}` : ''}`;
}

function describeFeatures(d: DecisionDetails): string {
  if (d.task === null) return '(none)';
  return Object.entries(d.task.features)
    .filter(([, value]) => value !== 0)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ') || '(all zero)';
}

/** The lines only some decisions have: why a continuation, an exemplar, the judge, an escalation. */
function extraLines(d: DecisionDetails): string[] {
  const lines: string[] = [];
  if (d.escalation) lines.push(`escalation: keyword ${JSON.stringify(d.escalation.keyword)} in the ${d.escalation.where === 'prompt' ? 'prompt' : 'role:"system" turn'}`);
  if (d.continues) lines.push(`continues:  the session's escalated task (until ${d.continues.until})`);
  if (d.compaction) lines.push('compaction: a /compact summary request');
  if (d.exemplar) lines.push(`feedback:   exemplar ${d.exemplar.requestId} at distance ${d.exemplar.distance} says ${d.exemplar.expected}`);
  if (d.judge) lines.push(`judge:      ${d.judge.outcome}${d.judge.verdict ? `, ${d.judge.verdict}` : ''} in ${d.judge.ms} ms`);
  if (d.follows) lines.push(`follows:    ${d.follows}: ${describeReason(d.follows)}`);
  if (d.agent) lines.push(`subagent:   ${d.agent}`);
  return lines;
}

function formatText(decision: Decision, localAssumed: string, judgeOn: boolean): string {
  const d = decision.details;
  const e = decision.estimate;
  const local = d.local.enabled ? `enabled, ${d.local.healthy ? 'healthy' : 'unhealthy'} (${localAssumed})` : 'disabled';
  const effort = d.effort.value === null ? 'not given' : `${d.effort.value} (${d.effort.escalates ? 'in' : 'not in'} routing.escalateEfforts)`;
  const lines = [
    `route:      ${decision.route}`,
    `reason:     ${decision.reason}: ${describeReason(decision.reason)}`,
    `rule:       ${describeRule(d.rule)}`,
    `kind:       ${decision.kind} (client: ${d.client})`,
    `task:       ${describeTask(d)}`,
    `features:   ${describeFeatures(d)}`,
    ...extraLines(d),
    `estimate:   query ${e.query}, conversation ${e.conversation}, request ${e.request} tokens (${d.calibration.family} calibration ×${d.calibration.factor})`,
    `basis:      ${d.basis} = ${d.basisTokens} tokens (classifier tokens: simple below ${d.thresholds.simple}, complex above ${d.thresholds.complex})`,
    `max_tokens: ${describeMaxTokens(d.maxTokens, d.client)}`,
    `effort:     ${effort}`,
    `images:     ${d.images}`,
    `local:      ${local}; needs ${d.local.fitTokens} + ${d.local.reserve} reserve of a ${d.local.contextWindow}-token window: ${d.local.fits ? 'fits' : 'does not fit'}`,
  ];
  // explain has no local backend to ask: it says where the server's judge would step in.
  if (judgeOn && decision.reason === 'unsure_task') lines.push('judge:      the server would ask the local judge (routing.judge); explain does not');
  return `${lines.join('\n')}\n`;
}

/**
 * `explain`: the decision the server would make for a request, through the same router
 * (createRouter + decide) with the same configuration, saved calibration and feedback corrections.
 * Returns the exit code.
 */
export async function explain(values: Values, positionals: string[], env: Env, io: Io): Promise<number> {
  try {
    // The parser has refused a --local outside its choices: anything but unhealthy is the default.
    const localHealthy = text(values, 'local') !== 'unhealthy';
    const at = text(values, 'at');
    const now = at === undefined ? new Date() : new Date(at);
    if (Number.isNaN(now.getTime())) throw new InputError(`--at ${JSON.stringify(at)}: expected an ISO 8601 time`);
    const headers = parseHeaders(list(values, 'header'));
    const { config } = await loadConfig({ file: text(values, 'config'), env });
    const raw = await readRequest(positionals[0], io.stdin);
    const endpoint: Endpoint = flag(values, 'count-tokens') ? 'count_tokens' : 'messages';
    const body = parseMessagesBody(raw, false);

    const store = new CalibrationStore(config.state.dir);
    const feedback = new FeedbackStore(config.state.dir);
    await Promise.all([store.load(), feedback.load()]);
    const router = createRouter(config, {
      local: { enabled: config.local.enabled, healthy: () => localHealthy },
      now: () => now,
      store,
      exemplars: () => feedback.exemplars,
    });
    const decision = router.decide({ endpoint, body, headers, now });
    const { route, reason, rule, kind, estimate, details } = decision;
    io.stdout.write(flag(values, 'json') ? `${JSON.stringify({ route, reason, rule, kind, estimate, details }, null, 2)}\n` : formatText(decision, `assumed; --local to change`, config.routing.judge.enabled));
    return 0;
  } catch (error) {
    if (error instanceof ApiError) {
      io.stderr.write(`claude-api-proxy explain: the request is not a valid Messages API body: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      io.stderr.write(`claude-api-proxy explain: ${errorMessage(error)}\n`);
      return 2;
    }
    throw error;
  }
}

export const command: Command = {
  usage: '[options] [REQUEST.json] < REQUEST.json',
  description: `Prints the routing decision for one Messages API request body, without sending anything: the
same router, configuration and saved calibration as the server.`,
  options: {
    config: CONFIG_OPTION,
    header: { type: 'string', short: 'H', multiple: true, value: "'N: V'", help: "a request header (e.g. -H 'x-app: cli' marks Claude Code)" },
    'count-tokens': { type: 'boolean', help: 'explain it as POST /v1/messages/count_tokens' },
    local: { type: 'string', value: 'STATE', help: "the local backend's health to assume (default healthy)", choices: ['healthy', 'unhealthy'] },
    at: { type: 'string', value: 'TIME', help: 'the moment to decide at (ISO 8601, local time without a zone; default now)' },
    json: { type: 'boolean', help: 'print the decision as JSON' },
  },
  args: { min: 0, max: 1, names: 'REQUEST file' },
  examples: ["claude-api-proxy explain -H 'x-app: cli' request.json"],
  run: ({ values, positionals }, env, io) => explain(values, positionals, env, io),
};
