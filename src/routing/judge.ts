import { createHash } from 'node:crypto';
import type { MessagesRequest, StreamEvent } from '../anthropic/types.js';
import type { Config } from '../config/schema.js';
import { BoundedMap } from './bounded-map.js';

export type JudgeVerdict = 'simple' | 'complex';

/** What asking the judge gave, for the decision's details (no prompt text). */
export interface JudgeNote {
  outcome: 'answered' | 'cached' | 'timeout' | 'failed' | 'unclear';
  verdict: JudgeVerdict | null;
  ms: number;
}

/** What the judge needs of the local backend: one short answer as stream events, without retrieval. */
export interface JudgeBackend {
  open(request: MessagesRequest, signal: AbortSignal, options: { retrieval: false }): Promise<{ events: AsyncIterable<StreamEvent> }>;
}

export interface Judge {
  /** Never rejects: a timeout, a failure or an answer that names neither verdict gives `verdict: null`. */
  ask(prompt: string, signal: AbortSignal): Promise<JudgeNote>;
}

/** The judge reads at most this much of the prompt: enough for the request, not a pasted file. */
const PROMPT_CHARS = 2000;
const INSTRUCTIONS =
  'You sort requests to a coding assistant. Answer SIMPLE if a small local model can do it well: a question, an explanation, ' +
  'a lookup, a command, a small change in one place. Answer COMPLEX if it needs a strong model: changes across many files, ' +
  'refactoring, redesign, migration, architecture, audits, deep investigation. Answer with one word: SIMPLE or COMPLEX.';
const VERDICT = /\b(simple|complex)\b/i;

function verdictIn(text: string): JudgeVerdict | null {
  const found = VERDICT.exec(text)?.[1]?.toLowerCase();
  return found === 'simple' || found === 'complex' ? found : null;
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** The optional local judge (routing.judge): one short local request, within a deadline, cached by prompt hash. */
export function createJudge(settings: Config['routing']['judge'], local: JudgeBackend): Judge {
  const cache = new BoundedMap<string, JudgeVerdict>(Math.max(1, settings.cacheSize));

  async function answer(prompt: string, signal: AbortSignal): Promise<string> {
    const request: MessagesRequest = {
      model: 'judge',
      max_tokens: settings.maxTokens,
      system: INSTRUCTIONS,
      messages: [{ role: 'user', content: prompt.slice(0, PROMPT_CHARS) }],
      stream: true,
    };
    const opened = await local.open(request, signal, { retrieval: false });
    let text = '';
    // Leaving the loop early closes the answer (and with it the local request).
    for await (const event of opened.events) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (verdictIn(text) !== null) break;
    }
    return text;
  }

  return {
    async ask(prompt, signal) {
      const started = performance.now();
      const ms = () => Math.round((performance.now() - started) * 10) / 10;
      const key = settings.cacheSize > 0 ? createHash('sha256').update(prompt).digest('base64') : null;
      const cached = key === null ? undefined : cache.get(key);
      if (cached !== undefined) return { outcome: 'cached', verdict: cached, ms: ms() };
      const deadline = AbortSignal.timeout(settings.timeoutMs);
      try {
        const both = AbortSignal.any([signal, deadline]);
        // The race keeps the budget even if a backend is slow to notice the abort.
        const verdict = verdictIn(await Promise.race([answer(prompt, both), rejectOnAbort(both)]));
        if (verdict === null) return { outcome: 'unclear', verdict, ms: ms() };
        if (key !== null) cache.set(key, verdict);
        return { outcome: 'answered', verdict, ms: ms() };
      } catch {
        return { outcome: deadline.aborted ? 'timeout' : 'failed', verdict: null, ms: ms() };
      }
    },
  };
}
