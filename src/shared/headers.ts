import type { IncomingHttpHeaders } from 'node:http';

/** Request and response headers the proxy itself reads or sets. */
export const HEADER = {
  route: 'x-claude-proxy-route',
  reason: 'x-claude-proxy-reason',
  rule: 'x-claude-proxy-rule',
  token: 'x-claude-proxy-token',
  sessionId: 'x-claude-code-session-id',
  agentId: 'x-claude-code-agent-id',
} as const;

/** The system block Claude Code adds with a per-request nonce; it would bust any prompt cache. */
export const BILLING_PREFIX = 'x-anthropic-billing-header:';

/** The first value of a request header (only set-cookie arrives as a list; a list here is a test's or a caller's). */
export function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
