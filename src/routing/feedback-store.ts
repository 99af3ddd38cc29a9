import { appendFile, chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isObject } from '../shared/json.js';
import { isRoute, type Route } from '../shared/vocabulary.js';
import { readStateFile, reportOnce, type StateFileReport } from './state-file.js';
import type { Exemplar, TaskFeatures } from './task-types.js';

export const FEEDBACK_FILE = 'feedback.jsonl';

/** One line of feedback.jsonl: a user's correction of one decision (`claude-api-proxy feedback`). */
export interface Correction extends Exemplar {
  recordedAt: string;
  /** The route and reason the proxy had decided, from the request's telemetry event. */
  decided: Route | null;
  reason: string | null;
  /** The classifier's score at the time, if the event carried one. */
  score: number | null;
  /** The prompt, only when telemetry.logPrompts allowed storing it. */
  queryText?: string;
}

/** Named numbers only: anything else in a feature vector is dropped. */
export function featuresOf(value: unknown): TaskFeatures | null {
  if (!isObject(value)) return null;
  const features: Record<string, number> = {};
  for (const [name, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) features[name] = v;
  return features;
}

/** One line of the file, checked; null for anything that is not a correction. */
export function parseCorrection(line: string): Correction | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isObject(value) || typeof value.requestId !== 'string' || !isRoute(value.expected)) return null;
  const features = featuresOf(value.features);
  if (features === null) return null;
  return {
    requestId: value.requestId,
    features,
    expected: value.expected,
    recordedAt: typeof value.recordedAt === 'string' ? value.recordedAt : '',
    decided: isRoute(value.decided) ? value.decided : null,
    reason: typeof value.reason === 'string' ? value.reason : null,
    score: typeof value.score === 'number' && Number.isFinite(value.score) ? value.score : null,
    ...(typeof value.queryText === 'string' ? { queryText: value.queryText } : {}),
  };
}

export interface FeedbackStoreOptions {
  /** Told once about the first read or write failure (the proxy keeps routing without the corrections). */
  onError?: StateFileReport;
}

/**
 * The corrections kept in `<state dir>/feedback.jsonl` (private to the user): read at start, appended
 * by `claude-api-proxy feedback`. A later correction of the same request replaces an earlier one.
 */
export class FeedbackStore {
  readonly file: string;
  private readonly dir: string;
  private readonly report: StateFileReport;
  private byRequest = new Map<string, Correction>();
  private list: readonly Correction[] = [];

  constructor(stateDir: string, options: FeedbackStoreOptions = {}) {
    this.dir = stateDir;
    this.file = join(stateDir, FEEDBACK_FILE);
    this.report = reportOnce(options.onError ?? (() => undefined));
  }

  /** The corrections as exemplars, in the order they were recorded. */
  get exemplars(): readonly Exemplar[] {
    return this.list;
  }

  get corrections(): readonly Correction[] {
    return this.list;
  }

  /** Reads the file, if any (a missing file means no corrections; malformed lines are skipped). */
  async load(): Promise<void> {
    const text = await readStateFile(this.file, this.report);
    if (text === null) return;
    for (const line of text.split('\n')) {
      const correction = line.trim() === '' ? null : parseCorrection(line);
      if (correction) this.byRequest.set(correction.requestId, correction);
    }
    this.list = [...this.byRequest.values()];
  }

  /** Appends one correction (creating the state directory and the file, both private to the user). */
  async append(correction: Correction): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await appendFile(this.file, `${JSON.stringify(correction)}\n`, { mode: 0o600 });
    // The mode above applies only to a new file: one made by hand keeps its own unless corrected here.
    await chmod(this.file, 0o600);
    this.byRequest.delete(correction.requestId);
    this.byRequest.set(correction.requestId, correction);
    this.list = [...this.byRequest.values()];
  }
}
