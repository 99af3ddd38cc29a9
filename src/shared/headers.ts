/** Response and request headers the proxy itself reads or sets. */
export const HEADER = {
  route: 'x-claude-proxy-route',
  reason: 'x-claude-proxy-reason',
  rule: 'x-claude-proxy-rule',
  token: 'x-claude-proxy-token',
  sessionId: 'x-claude-code-session-id',
} as const;

/** The system block Claude Code adds with a per-request nonce; it would bust any prompt cache. */
export const BILLING_PREFIX = 'x-anthropic-billing-header:';
