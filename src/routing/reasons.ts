/** Every reason code a decision can carry, with what it means (for `explain`, docs/routing.md and dashboards). */
export const REASONS = {
  local_alias: 'the model is one of local.aliases: always local',
  header_override: 'the x-claude-proxy-route request header chose the route (routing.allowHeaderOverride)',
  tool_loop_pinned: 'the request returns tool results to the route that made those tool calls',
  tool_loop_unpinned: 'the request returns tool results for calls this proxy does not remember: remote, to be safe',
  rule: 'a configured rule (routing.rules) chose the route',
  sticky_session: 'this Claude Code session had a complex turn go remote within routing.stickySessionMinutes',
  background: "a Claude Code background request (session title): cheap, so local",
  high_effort: 'thinking effort high or max asks for the strongest model (routing.highEffortRemote)',
  max_tokens: 'max_tokens above routing.maxTokensRemote asks for a long answer',
  complex_query: 'the estimate on routing.basis is above routing.complexQueryTokens',
  simple_query: 'the estimate on routing.basis is below routing.simpleQueryTokens',
  medium_query: 'the estimate on routing.basis is between the thresholds and the local backend is healthy',
  local_disabled: 'local would do, but local.enabled is false',
  local_unhealthy: 'local would do, but the local backend is not answering its health probe',
  images_unsupported: 'local would do, but the request holds images and local.vision is false',
  context_overflow: 'local would do, but the request plus routing.answerReserveTokens does not fit local.contextWindow',
} as const;

export type ReasonCode = keyof typeof REASONS;

export function describeReason(code: string): string {
  return (REASONS as Record<string, string>)[code] ?? 'no description';
}
