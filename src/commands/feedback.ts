import { loadConfig, type Env } from '../config/load.js';
import { correctionOf, FeedbackError } from '../routing/correction.js';
import { FeedbackStore } from '../routing/feedback-store.js';
import { isRoute, ROUTES } from '../shared/vocabulary.js';
import { findEvent } from '../telemetry/find-event.js';
import { CONFIG_OPTION, text, type Command, type Values } from './command.js';
import type { Io } from './io.js';
import { notAChoice } from './parse.js';

/** `feedback`: appends one correction to the state directory's feedback.jsonl. Returns the exit code. */
export async function feedback(values: Values, positionals: string[], env: Env, io: Io, now: () => Date = () => new Date()): Promise<number> {
  // The parser has counted two arguments.
  const [requestId = '', expected = ''] = positionals;
  if (!isRoute(expected)) throw notAChoice('route', expected, ROUTES, 'feedback');
  try {
    const { config } = await loadConfig({ file: text(values, 'config'), env });
    const event = await findEvent(config.telemetry.dir, requestId);
    if (event === null) throw new FeedbackError(`no telemetry event with request id ${JSON.stringify(requestId)} in ${config.telemetry.dir}`);
    const correction = correctionOf(event, requestId, expected, config.telemetry.logPrompts, now());
    const store = new FeedbackStore(config.state.dir);
    await store.append(correction);
    const was = correction.decided === null ? '' : ` (decided ${correction.decided}${correction.reason ? `: ${correction.reason}` : ''})`;
    io.stdout.write(`recorded: ${requestId} should go ${expected}${was}, in ${store.file}\n`);
    return 0;
  } catch (error) {
    if (error instanceof FeedbackError) {
      io.stderr.write(`claude-api-proxy feedback: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

export const command: Command = {
  usage: 'REQUEST_ID local|remote [--config FILE]',
  description: `Records that the request REQUEST_ID (its request_id in the telemetry events, e.g. from the
dashboard's recent decisions) should have gone local or remote. The correction is appended to
feedback.jsonl in state.dir with the task classifier's features from the request's event; the
prompt text is stored only when telemetry.logPrompts is on. The proxy reads the corrections when it
starts; corrections made from the dashboard (the buttons in a request's details, POST /feedback)
count at once. 'eval-routing --feedback' evaluates the routing on them.`,
  options: { config: CONFIG_OPTION },
  args: { min: 2, max: 2, names: 'REQUEST_ID and local or remote' },
  examples: ['claude-api-proxy feedback req_011CUxyz local'],
  run: ({ values, positionals }, env, io) => feedback(values, positionals, env, io),
};
