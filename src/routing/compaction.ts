import type { MessageParam } from '../anthropic/types.js';
import type { TaskVerdict } from './task-types.js';

/** More pasted lines than this (log scale, see `size.pastedLines`) make a long text a paste, not an instruction. */
const MAX_PASTED_LOG2 = 3;

/**
 * Claude Code's /compact, recognised by its shape: after at least one answer, the last user text is
 * a long instruction in prose (a summary request), not a short prompt and not pasted material.
 */
export function looksLikeCompaction(messages: readonly MessageParam[], query: string, verdict: TaskVerdict, minChars: number): boolean {
  if (query.length < minChars) return false;
  if ((verdict.features['size.pastedLines'] ?? 0) > MAX_PASTED_LOG2) return false;
  return messages.some((m) => m.role === 'assistant');
}
