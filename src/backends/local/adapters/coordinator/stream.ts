import type { StopReason, StreamEvent } from '../../../../anthropic/types.js';
import { CHARS_PER_TOKEN, estimateText } from '../../../../routing/estimate.js';
import { isObject } from '../../../../shared/json.js';
import { blockEvents, messageEnd, messageStart } from '../../events.js';
import { LocalFailure, type PreparedRequest } from '../../types.js';

/** The coordinator's reply (one text) as the events of an answer: JSON only when a format was asked for, cut at max_tokens. */
export function replyEvents(reply: unknown, request: PreparedRequest, model: string): StreamEvent[] {
  const answer = isObject(reply) ? (reply.response ?? reply.answer) : undefined;
  if (typeof answer !== 'string') {
    throw new LocalFailure('malformed', 'the coordinator answered without a "response" text (does it support generate_response?)');
  }
  let text = request.format ? jsonOnly(answer) : answer;
  let stop: StopReason = 'end_turn';
  const limit = request.body.max_tokens ?? Number.POSITIVE_INFINITY;
  if (estimateText(text) > limit) {
    text = text.slice(0, limit * CHARS_PER_TOKEN);
    stop = 'max_tokens';
  }
  const named = isObject(reply) && typeof reply.backend === 'string' && reply.backend !== '' ? `${model} (${reply.backend})` : model;
  // Usage stays zero here: the answer normalizer counts it and marks it estimated.
  return [messageStart(named, { input_tokens: 0, output_tokens: 0 }), ...blockEvents(0, { type: 'text', text }), ...messageEnd(stop, { output_tokens: 0 })];
}

/** The JSON object inside an answer that was asked to be only JSON (models like code fences). */
function jsonOnly(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(trimmed);
  const candidate = fenced?.[1] ?? trimmed;
  const start = candidate.indexOf('{');
  const end = candidate.lastIndexOf('}');
  return start >= 0 && end > start ? candidate.slice(start, end + 1) : candidate;
}
