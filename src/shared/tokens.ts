/** The token fields every usage record has (Anthropic's `usage`). */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Everything the prompt cost, cached or not: fresh input plus cache reads and writes. */
export function promptTokens(usage: TokenUsage): number {
  return usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
}

/** Every token of an answer: its prompt and its output. */
export function totalTokens(usage: TokenUsage): number {
  return promptTokens(usage) + usage.output_tokens;
}
