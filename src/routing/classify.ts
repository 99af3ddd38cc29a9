import type { IncomingHttpHeaders } from 'node:http';
import type { MessagesRequest } from '../anthropic/types.js';
import type { RequestKind } from '../config/schema.js';
import { BILLING_PREFIX, firstHeader, HEADER } from '../shared/headers.js';
import type { Endpoint } from './types.js';

/** What the request says about itself, read once per request. */
export interface RequestSignals {
  kind: RequestKind;
  /** The kind the same body has when sent to /v1/messages: a count is decided like the request it counts. */
  messageKind: Exclude<RequestKind, 'count'>;
  /** Sent by Claude Code (by its headers or its billing block), whose fixed values are not user choices. */
  claudeCode: boolean;
  /** The tool_use ids answered by the last user turn (a tool loop continues those calls). */
  toolResultIds: string[];
  tools: boolean;
  thinking: boolean;
  /** `output_config.effort`, lower-cased, if given. */
  effort: string | null;
  maxTokens: number | null;
}

/** Claude Code identifies itself by `x-app: cli`, its user agent, its session header or the billing block it puts first in `system`. */
function isClaudeCode(body: MessagesRequest, headers: IncomingHttpHeaders): boolean {
  if (firstHeader(headers, 'x-app') === 'cli') return true;
  if (firstHeader(headers, 'user-agent')?.startsWith('claude-cli/')) return true;
  if (firstHeader(headers, HEADER.sessionId) !== undefined) return true;
  const first = Array.isArray(body.system) ? body.system[0] : undefined;
  return typeof first?.text === 'string' && first.text.startsWith(BILLING_PREFIX);
}

/** The last message that is not a `role:"system"` turn (Claude Code may append that turn after the user's). */
function lastTurn(body: MessagesRequest): MessagesRequest['messages'][number] | undefined {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const message = body.messages[i];
    if (message?.role !== 'system') return message;
  }
  return undefined;
}

/** Ids of the tool calls the last turn answers, when it is a user turn carrying tool results. */
function answeredToolIds(body: MessagesRequest): string[] {
  const last = lastTurn(body);
  if (last?.role !== 'user' || typeof last.content === 'string') return [];
  const ids: string[] = [];
  for (const block of last.content) {
    if (block.type === 'tool_result' && typeof block.tool_use_id === 'string') ids.push(block.tool_use_id);
  }
  return ids;
}

/**
 * The request kind: `count` (count_tokens), `tool-loop` (the last user turn returns tool results),
 * `background` (Claude Code's session-title request: no tools, structured JSON output), `main`
 * (any other Claude Code request) or `other` (any other client).
 */
export function readSignals(endpoint: Endpoint, body: MessagesRequest, headers: IncomingHttpHeaders): RequestSignals {
  const claudeCode = isClaudeCode(body, headers);
  const toolResultIds = answeredToolIds(body);
  const tools = Array.isArray(body.tools) && body.tools.length > 0;
  let messageKind: RequestSignals['messageKind'];
  if (toolResultIds.length > 0) messageKind = 'tool-loop';
  else if (claudeCode && !tools && body.output_config?.format !== undefined) messageKind = 'background';
  else messageKind = claudeCode ? 'main' : 'other';
  const effort = body.output_config?.effort;
  return {
    kind: endpoint === 'count_tokens' ? 'count' : messageKind,
    messageKind,
    claudeCode,
    toolResultIds,
    tools,
    thinking: body.thinking !== undefined && body.thinking.type !== 'disabled',
    effort: typeof effort === 'string' ? effort.toLowerCase() : null,
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : null,
  };
}
