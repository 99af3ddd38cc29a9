import type { ReasonCode } from '../routing/reasons.js';

/**
 * What a user can change when requests go to Anthropic for a reason. Reasons that are the user's own
 * choice (a header, a rule) or the safe answer (tool results of unknown calls) have no advice.
 */
export const REMOTE_ADVICE: Partial<Record<ReasonCode, string>> = {
  complex_task: 'If these tasks are ones your local model does well, say so with claude-api-proxy feedback REQUEST_ID local, or move words in routing.task.vocabulary.',
  unsure_task: 'Set routing.task.unsure, or turn on routing.judge to let the local model sort unsure tasks.',
  complex_query: 'Raise routing.complexQueryTokens if the local model handles larger prompts well enough.',
  context_overflow: 'Serve a model with a larger context window and set local.contextWindow to it (Claude Code turns need about 20–26k tokens).',
  local_unhealthy: 'Start or fix the local backend at local.url; GET /health/ready says what is wrong.',
  local_disabled: 'Set local.enabled: true and point local.url at a local server.',
  high_effort: 'Remove the effort from routing.escalateEfforts to let those turns go local.',
  max_tokens: 'Raise routing.maxTokensRemote, or set routing.maxTokensRule: off.',
  task_continues: 'Lower routing.task.continuationMinutes: follow-ups of an escalated task stay remote that long.',
  images_unsupported: 'Serve a vision model and set local.vision: true.',
};

/** For requests the local backend failed before its first byte (they were answered by Anthropic). */
export const FALLBACK_ADVICE = 'The local backend failed before answering: look at its log and at GET /health/ready.';
