import type { Config } from '../config/schema.js';
import { splitPrompt } from './prompt-parts.js';
import type { Exemplar, TaskFeatures, TaskVerdict } from './task-types.js';
import { compileVocabulary, type CompiledVocabulary } from './vocabulary.js';

/** How much each feature moves the score (positive: more complex). Counts are capped so one long prompt cannot pile up. */
const WEIGHTS = {
  complexAsk: 2,
  wideScope: 2,
  simpleAsk: -1.5,
  narrowScope: -1,
  /** Per list item beyond the first, from three items on. */
  listItem: 0.75,
  stepWord: 0.5,
  /** The user's own words, not what they pasted. */
  longAsk: 1,
  question: -0.5,
} as const;
const CAP = 2;
const LONG_ASK_WORDS = 80;
const MAX_LIST_BONUS_ITEMS = 4;

export interface TaskClassifier {
  classify(prompt: string): TaskVerdict;
  /** The first escalate keyword (ultrathink) in a text, e.g. the role:"system" turn; a verdict has its own in `matched`. */
  escalates(text: string): string | null;
  /** The nearest feedback exemplar when it is within routing.task.exemplarDistance. */
  nearest(features: TaskFeatures, exemplars: readonly Exemplar[]): { exemplar: Exemplar; distance: number } | null;
}

const capped = (n: number) => Math.min(n, CAP);
const round2 = (n: number) => Math.round(n * 100) / 100;
const log2 = (n: number) => Math.round(Math.log2(1 + n));

/** Euclidean distance over the union of both feature names (a missing feature is 0). */
export function featureDistance(a: TaskFeatures, b: TaskFeatures): number {
  let sum = 0;
  for (const key in a) sum += ((a[key] ?? 0) - (b[key] ?? 0)) ** 2;
  for (const key in b) if (!(key in a)) sum += (b[key] ?? 0) ** 2;
  return Math.sqrt(sum);
}

function verdictOf(vocab: CompiledVocabulary, settings: Config['routing']['task'], prompt: string): TaskVerdict {
  const parts = splitPrompt(prompt);
  const { asked } = parts;
  const complex = vocab.complex.matches(asked);
  const simple = vocab.simple.matches(asked);
  const wide = vocab.wideScope.matches(asked);
  const narrow = vocab.narrowScope.matches(asked);
  const steps = vocab.steps.matches(asked);
  const escalate = vocab.escalate.matches(asked);
  const question = asked.includes('?') ? 1 : 0;
  const continuation = parts.words <= settings.continuationWords && vocab.continuation.startsWith(asked.trimStart()) ? 1 : 0;
  const listBonus = parts.listItems >= 3 ? Math.min(parts.listItems, MAX_LIST_BONUS_ITEMS) - 1 : 0;
  const features: TaskFeatures = {
    'ask.complex': complex.length,
    'ask.simple': simple.length,
    'scope.wide': wide.length,
    'scope.narrow': narrow.length,
    'steps.items': parts.listItems,
    'steps.words': steps.length,
    question,
    continuation,
    escalate: escalate.length > 0 ? 1 : 0,
    // Sizes on a log scale: twice the words is one step, so feedback exemplars match prompts of a similar size.
    'size.words': log2(parts.words),
    'size.pastedLines': log2(parts.pastedLines),
  };
  const score = round2(
    WEIGHTS.complexAsk * capped(complex.length) +
      WEIGHTS.wideScope * capped(wide.length) +
      WEIGHTS.simpleAsk * capped(simple.length) +
      WEIGHTS.narrowScope * capped(narrow.length) +
      WEIGHTS.listItem * listBonus +
      WEIGHTS.stepWord * capped(steps.length) +
      (parts.words >= LONG_ASK_WORDS ? WEIGHTS.longAsk : 0) +
      WEIGHTS.question * question,
  );
  const complexity = score >= settings.complexFrom ? 'complex' : score < settings.simpleBelow ? 'simple' : 'unsure';
  const matched = [
    ...complex.map((t) => `complex:${t}`),
    ...wide.map((t) => `wide:${t}`),
    ...simple.map((t) => `simple:${t}`),
    ...narrow.map((t) => `narrow:${t}`),
    ...steps.map((t) => `steps:${t}`),
    ...escalate.map((t) => `escalate:${t}`),
  ];
  return { complexity, score, features, matched };
}

/** The task classifier of routing.task, its vocabulary compiled once. */
export function createTaskClassifier(settings: Config['routing']['task']): TaskClassifier {
  const vocab = compileVocabulary(settings.vocabulary, settings.extraVocabulary);
  return {
    classify: (prompt) => verdictOf(vocab, settings, prompt),
    escalates: (text) => vocab.escalate.matches(text.toLowerCase())[0] ?? null,
    nearest(features, exemplars) {
      let best: { exemplar: Exemplar; distance: number } | null = null;
      for (const exemplar of exemplars) {
        const distance = featureDistance(features, exemplar.features);
        if (best === null || distance < best.distance) best = { exemplar, distance };
      }
      return best !== null && best.distance <= settings.exemplarDistance ? { exemplar: best.exemplar, distance: round2(best.distance) } : null;
    },
  };
}
