/** Every reason code a decision can carry, with what it means (for `explain`, docs/routing.md and dashboards). */
export const REASONS = {
  local_alias: 'the model is one of local.aliases: always local',
  header_override: 'the x-claude-proxy-route request header chose the route (routing.allowHeaderOverride)',
  tool_loop_pinned: 'the request returns tool results to the route that made those tool calls',
  tool_loop_unpinned: 'the request returns tool results for calls this proxy does not remember: remote, to be safe',
  rule: 'a configured rule (routing.rules) chose the route',
  background: "a Claude Code background request (session title): cheap, so local",
  ultrathink: 'the prompt (or the role:"system" turn Claude Code adds for it) holds a keyword of routing.task.vocabulary.escalate, e.g. ultrathink',
  high_effort: 'output_config.effort is one of routing.escalateEfforts (Claude Code sends "high" on every request, so it is not one by default)',
  max_tokens: 'max_tokens above routing.maxTokensRemote asks for a long answer',
  complex_task: 'the task classifier scored the prompt at or above routing.task.complexFrom (what it asks for, its scope, its steps)',
  simple_task: 'the task classifier scored the prompt below routing.task.simpleBelow',
  unsure_task: 'the task classifier scored the prompt between the thresholds: routing.task.unsure decides',
  judge_simple: 'the classifier was unsure and the local judge (routing.judge) called the task simple',
  judge_complex: 'the classifier was unsure and the local judge (routing.judge) called the task complex',
  task_continues: 'a short continuation ("yes", "go on", "also handle X") of an escalated task within routing.task.continuationMinutes',
  feedback: "a user's correction (claude-api-proxy feedback) of a prompt with nearly the same features chose the route",
  compact: 'a /compact summary request: served where the session\'s last task was served (local when unknown)',
  count_tokens: 'a token count: remote, free and exact there (routing.countTokens: remote), or where the request it counts would go (follow-task; details.follows names that reason)',
  complex_query: 'classifier tokens: the estimate on routing.basis is above routing.complexQueryTokens',
  simple_query: 'classifier tokens: the estimate on routing.basis is below routing.simpleQueryTokens',
  medium_query: 'classifier tokens: the estimate on routing.basis is between the thresholds and the local backend is healthy',
  local_disabled: 'local would do, but local.enabled is false',
  local_unhealthy: 'local would do, but the local backend is not answering its health probe',
  images_unsupported: 'local would do, but the request holds images and local.vision is false',
  context_overflow: 'local would do, but the request plus routing.answerReserveTokens does not fit local.contextWindow',
} as const;

export type ReasonCode = keyof typeof REASONS;

export function describeReason(code: string): string {
  return (REASONS as Record<string, string>)[code] ?? 'no description';
}
