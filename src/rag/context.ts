import type { MessageParam } from '../anthropic/types.js';
import { latestUserText } from '../routing/query-text.js';
import { RetrievalError, type AidbHit, type AidbClient } from './aidb.js';

/** What retrieval did for one request, for telemetry (never the retrieved text). */
export type RetrievalNote = {
  rag?: 'no_query' | 'no_results' | 'used' | 'failed';
  rag_hits?: number;
  rag_chars?: number;
  rag_ms?: number;
  rag_error?: RetrievalError['reason'];
  rag_detail?: string;
};

/** Retrieved context for one request, and what happened. */
export interface Retrieval {
  /** The text of the one system block to add, or null. */
  context: string | null;
  note: RetrievalNote;
}

const HEADER = 'Context retrieved from the local knowledge base for this question (use what is relevant; it may be incomplete):';

/** The hits as one block of at most `maxChars` characters (later hits are cut first). */
export function formatContext(hits: readonly AidbHit[], maxChars: number): string | null {
  let out = HEADER;
  if (maxChars <= out.length) return null;
  let used = 0;
  for (const hit of hits) {
    const label = [hit.title, hit.path].filter((v) => v !== null).join(' — ');
    const head = `\n\n[${used + 1}]${label === '' ? '' : ` ${label}`}\n`;
    const room = maxChars - out.length - head.length;
    if (room <= 0) break;
    const content = hit.content.trim();
    out += head + (content.length <= room ? content : `${content.slice(0, Math.max(0, room - 1))}…`);
    used += 1;
  }
  return used === 0 ? null : out;
}

/**
 * Searches the knowledge base with the text the user last wrote (no system reminders, no tool
 * results). Never throws for the knowledge base's sake: a failure or timeout is only noted.
 */
export async function retrieveContext(client: AidbClient | null, maxChars: number, messages: readonly MessageParam[], signal: AbortSignal): Promise<Retrieval> {
  if (client === null) return { context: null, note: {} };
  const query = latestUserText(messages);
  if (query === '') return { context: null, note: { rag: 'no_query' } };
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const hits = await client.search(query, signal);
    const context = formatContext(hits, maxChars);
    if (context === null) return { context: null, note: { rag: 'no_results', rag_ms: ms() } };
    return { context, note: { rag: 'used', rag_hits: hits.length, rag_chars: context.length, rag_ms: ms() } };
  } catch (error) {
    if (!(error instanceof RetrievalError)) throw error;
    return { context: null, note: { rag: 'failed', rag_error: error.reason, rag_detail: error.message, rag_ms: ms() } };
  }
}
