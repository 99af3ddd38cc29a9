import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { loadConfig, type Env } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { DEFAULT_TARGETS, evaluate, EvalInputError, formatReport, parseEvalText, unmetTargets, type EvalCase, type Targets } from '../routing/evaluate.js';
import { FeedbackStore, type Correction } from '../routing/feedback-store.js';
import { createRouter } from '../routing/router.js';
import { errorCode, errorMessage } from '../shared/errors.js';
import { CONFIG_OPTION, flag, text, type Command, type Values } from './command.js';
import type { Io } from './io.js';

const gunzipAsync = promisify(gunzip);
/** A replayed correction is a Claude Code first turn on its default model and effort. */
const FEEDBACK_MODEL = 'claude-opus-4-8';

function fraction(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new EvalInputError(`--${name} ${JSON.stringify(value)}: expected a number from 0 to 1`);
  return n;
}

async function readCorpus(file: string): Promise<EvalCase[]> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    throw new EvalInputError(`cannot read ${file} (${errorCode(error) ?? errorMessage(error)})`);
  }
  if (file.endsWith('.gz')) {
    try {
      raw = await gunzipAsync(raw);
    } catch (error) {
      throw new EvalInputError(`${file}: not gzip data (${errorMessage(error)})`);
    }
  }
  return parseEvalText(raw.toString('utf8'), file);
}

/**
 * A correction becomes a case: with its stored prompt, a Claude Code first turn holding it; without
 * one, its feature vector, decided without a body.
 */
function correctionCase(c: Correction, file: string, index: number): EvalCase {
  return {
    where: `${file}#${index + 1} (${c.requestId})`,
    endpoint: 'messages',
    body: c.queryText === undefined ? null : { model: FEEDBACK_MODEL, messages: [{ role: 'user', content: c.queryText }], max_tokens: 64_000, output_config: { effort: 'high' } },
    features: c.features,
    ...(c.decided !== null ? { recorded: { route: c.decided, reason: c.reason ?? 'unknown' } } : {}),
    headers: { 'x-app': 'cli' },
    expected: c.expected,
    label: c.queryText === undefined ? 'feedback-features' : 'feedback-prompt',
    answerToolUseIds: [],
    note: '',
  };
}

async function feedbackCases(config: Config): Promise<{ cases: EvalCase[]; store: FeedbackStore }> {
  const store = new FeedbackStore(config.state.dir);
  await store.load();
  return { cases: store.corrections.map((c, i) => correctionCase(c, store.file, i)), store };
}

/** `eval-routing`: the router's decisions on labelled requests against their labels. Returns the exit code. */
export async function evalRouting(values: Values, positionals: string[], env: Env, io: Io): Promise<number> {
  try {
    const targets: Targets = {
      minAccuracy: fraction(text(values, 'min-accuracy'), 'min-accuracy', DEFAULT_TARGETS.minAccuracy),
      minLocalRecall: fraction(text(values, 'min-local-recall'), 'min-local-recall', DEFAULT_TARGETS.minLocalRecall),
      minRemoteRecall: fraction(text(values, 'min-remote-recall'), 'min-remote-recall', DEFAULT_TARGETS.minRemoteRecall),
    };
    if (!flag(values, 'feedback') && positionals.length === 0) throw new EvalInputError('give at least one corpus FILE (or --feedback)');
    const { config } = await loadConfig({ file: text(values, 'config'), env });
    const feedback = await feedbackCases(config);
    const cases: EvalCase[] = flag(values, 'feedback') ? feedback.cases : [];
    for (const file of positionals) cases.push(...(await readCorpus(file)));
    if (cases.length === 0) throw new EvalInputError(flag(values, 'feedback') ? `no corrections in ${feedback.store.file}` : 'the files hold no labelled requests');

    // Reproducible: no saved calibration, a healthy local backend, time advancing a second per request.
    let tick = Date.now();
    const clock = () => new Date((tick += 1000));
    const router = createRouter(config, { local: { enabled: config.local.enabled, healthy: () => true }, now: () => new Date(tick), exemplars: () => feedback.store.exemplars });
    const report = evaluate(router, cases, { clock });
    const unmet = unmetTargets(report, targets);
    io.stdout.write(flag(values, 'json') ? `${JSON.stringify({ ...report, targets, unmet }, null, 2)}\n` : formatReport(report, targets));
    if (unmet.length > 0 && !flag(values, 'json')) io.stderr.write(`claude-api-proxy eval-routing: ${unmet.join('; ')}\n`);
    return unmet.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof EvalInputError) {
      io.stderr.write(`claude-api-proxy eval-routing: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

export const command: Command = {
  usage: '[options] FILE... | --feedback [options]',
  description: `Replays labelled requests (JSONL, or .jsonl.gz: one {"body", "headers", "expected", "label",
"answer_tool_use_ids"} per line, sessions in order) through the router with your configuration and
prints the confusion table, accuracy, accuracy per label and every miss. Sends nothing; the local
backend is assumed healthy. Exit codes: 0 targets met, 1 a target missed, 2 bad input or usage.`,
  options: {
    config: CONFIG_OPTION,
    feedback: { type: 'boolean', help: "evaluate on the corrections recorded by 'claude-api-proxy feedback'" },
    'min-accuracy': { type: 'string', value: 'X', help: `fail (exit 1) below this accuracy (default ${DEFAULT_TARGETS.minAccuracy})` },
    'min-local-recall': { type: 'string', value: 'X', help: `fail below this share of local-labelled requests decided local (default ${DEFAULT_TARGETS.minLocalRecall})` },
    'min-remote-recall': { type: 'string', value: 'X', help: `fail below this share of remote-labelled requests decided remote (default ${DEFAULT_TARGETS.minRemoteRecall})` },
    json: { type: 'boolean', help: 'print the report as JSON' },
  },
  args: { min: 0, max: Number.POSITIVE_INFINITY, names: 'corpus FILE' },
  examples: ['claude-api-proxy eval-routing corpus.jsonl.gz', 'claude-api-proxy eval-routing --feedback'],
  run: ({ values, positionals }, env, io) => evalRouting(values, positionals, env, io),
};
