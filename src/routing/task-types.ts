import type { Route } from '../shared/vocabulary.js';

/** Named, explainable measurements of one user prompt (e.g. `verb.refactor`, `scope.codebase`, `pasted.lines`). */
export type TaskFeatures = Readonly<Record<string, number>>;

/** What the task classifier concluded about a new user prompt, and why. */
export interface TaskVerdict {
  complexity: 'simple' | 'complex' | 'unsure';
  /** Higher means more complex; compared with the configured thresholds. */
  score: number;
  features: TaskFeatures;
  /** The vocabulary entries that matched, for explain output. */
  matched: readonly string[];
}

/** A user's correction of one decision (claude-api-proxy feedback), consulted by the classifier. */
export interface Exemplar {
  requestId: string;
  features: TaskFeatures;
  expected: Route;
}
