import { isObject, type Json } from '../shared/json.js';
import { isRoute, type Route } from '../shared/vocabulary.js';
import { featuresOf, type Correction } from './feedback-store.js';

/** A correction that cannot be recorded, with the reason in words for the user. */
export class FeedbackError extends Error {}

/**
 * The correction of one request from the metadata of its telemetry event (from the files or the
 * server's recent decisions): the classifier's features, and the prompt only when `logPrompts`.
 */
export function correctionOf(event: Json, requestId: string, expected: Route, logPrompts: boolean, now: Date): Correction {
  const task = isObject(event.task) ? event.task : null;
  const features = featuresOf(task?.features);
  const queryText = logPrompts && typeof event.query_text === 'string' ? event.query_text : undefined;
  if (features === null && queryText === undefined) {
    throw new FeedbackError(`the event of ${requestId} carries no task features (only a new user prompt is classified) and no prompt text: nothing to learn from`);
  }
  return {
    requestId,
    features: features ?? {},
    expected,
    recordedAt: now.toISOString(),
    decided: isRoute(event.decided_route) ? event.decided_route : null,
    reason: typeof event.reason === 'string' ? event.reason : null,
    score: typeof task?.score === 'number' ? task.score : null,
    ...(queryText !== undefined ? { queryText } : {}),
  };
}
