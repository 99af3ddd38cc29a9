import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig, type Env } from '../config/load.js';
import { FeedbackStore, featuresOf, type Correction } from '../routing/feedback-store.js';
import { isObject, type Json } from '../shared/json.js';
import { isRoute } from '../shared/vocabulary.js';
import { listEventFiles } from '../telemetry/event-files.js';
import type { Io } from './io.js';

export const FEEDBACK_HELP = `Usage: claude-api-proxy feedback REQUEST_ID local|remote [--config FILE]
Records that the request REQUEST_ID (its request_id in the telemetry events, e.g. from the
dashboard's recent decisions) should have gone local or remote. The correction is appended to
feedback.jsonl in state.dir with the task classifier's features from the request's event; the
prompt text is stored only when telemetry.logPrompts is on. The proxy reads the corrections when it
starts; 'eval-routing --feedback' evaluates the routing on them.
  --config FILE   configuration file (default: the usual one)
`;

class FeedbackError extends Error {}

/** The metadata of the event with this request id, newest files first; null when none has it. */
async function findEvent(dir: string, requestId: string): Promise<Json | null> {
  const { files } = await listEventFiles(dir);
  const needle = JSON.stringify(requestId);
  for (const file of files.reverse()) {
    const lines = createInterface({ input: createReadStream(file.path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      // Only a line that names the id is parsed.
      if (!line.includes(needle)) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      if (isObject(value) && isObject(value.metadata) && value.metadata.request_id === requestId) {
        lines.close();
        return value.metadata;
      }
    }
  }
  return null;
}

/** `feedback`: appends one correction to the state directory's feedback.jsonl. Returns the exit code. */
export async function feedback(argv: string[], env: Env, io: Io, now: () => Date = () => new Date()): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(FEEDBACK_HELP);
    return 0;
  }
  const [requestId, expected, ...extra] = positionals;
  if (requestId === undefined || !isRoute(expected) || extra.length > 0) {
    io.stderr.write(`claude-api-proxy feedback: expected REQUEST_ID and local or remote\nRun 'claude-api-proxy feedback --help' for usage.\n`);
    return 2;
  }
  try {
    const { config } = await loadConfig({ file: values.config, env });
    const event = await findEvent(config.telemetry.dir, requestId);
    if (event === null) throw new FeedbackError(`no telemetry event with request id ${JSON.stringify(requestId)} in ${config.telemetry.dir}`);
    const task = isObject(event.task) ? event.task : null;
    const features = featuresOf(task?.features);
    const queryText = config.telemetry.logPrompts && typeof event.query_text === 'string' ? event.query_text : undefined;
    if (features === null && queryText === undefined) {
      throw new FeedbackError(`the event of ${requestId} carries no task features (only a new user prompt is classified) and no prompt text: nothing to learn from`);
    }
    const correction: Correction = {
      requestId,
      features: features ?? {},
      expected,
      recordedAt: now().toISOString(),
      decided: isRoute(event.decided_route) ? event.decided_route : null,
      reason: typeof event.reason === 'string' ? event.reason : null,
      score: typeof task?.score === 'number' ? task.score : null,
      ...(queryText !== undefined ? { queryText } : {}),
    };
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
