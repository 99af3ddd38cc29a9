// The subset of the Anthropic Messages API that the proxy reads or produces.
// Fields the proxy never reads are carried through untouched and typed loosely.

export type Role = 'user' | 'assistant' | 'system';

export interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

// The blocks are object types rather than interfaces so that each is also a RawBlock: a request the
// proxy builds holds them where a client's request holds raw blocks.

export type TextBlock = {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
  citations?: unknown;
};

export type ImageBlock = {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
  cache_control?: CacheControl;
};

export type ToolUseBlock = {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: CacheControl;
};

export type ToolResultBlock = {
  type: 'tool_result';
  tool_use_id: string;
  /** Raw blocks, like a message's: read them with `contentBlock()`. */
  content?: string | RawBlock[];
  is_error?: boolean;
  cache_control?: CacheControl;
};

export type ThinkingBlock = {
  type: 'thinking';
  thinking: string;
  signature: string;
};

export type RedactedThinkingBlock = {
  type: 'redacted_thinking';
  data: string;
};

export type DocumentBlock = {
  type: 'document';
  /** Read only where it is a text document (`{ type: 'text', data }`). */
  source?: unknown;
  cache_control?: CacheControl;
};

/**
 * A content block as the client sent it: validate.ts checked that it is an object with a string
 * `type`, and the fields the proxy reads of the known types. `contentBlock()` (blocks.ts) reads it
 * into a ContentBlock.
 */
export interface RawBlock {
  type: string;
  [key: string]: unknown;
}

/** The blocks the proxy reads. */
export type KnownBlock = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock | RedactedThinkingBlock | DocumentBlock;

/**
 * Any other block (server tool calls and their results, search results, containers, …), kept whole
 * in `block`. Only `contentBlock()` makes one, from every raw block that is not a well-formed known
 * block (one whose type is "unknown" included), so its `type` never collides with a known one and a
 * switch over ContentBlock narrows every case.
 */
export type UnknownBlock = {
  type: 'unknown';
  block: RawBlock;
};

/** A content block once read: one of the known blocks, or the unknown block. */
export type ContentBlock = KnownBlock | UnknownBlock;

export interface MessageParam {
  role: Role;
  content: string | RawBlock[];
}

export interface Tool {
  name: string;
  description?: string;
  input_schema?: unknown;
  type?: string;
  defer_loading?: boolean;
  cache_control?: CacheControl;
  [key: string]: unknown;
}

export interface ThinkingConfig {
  type: 'enabled' | 'disabled' | 'adaptive';
  budget_tokens?: number;
  display?: string;
}

export interface OutputConfig {
  effort?: string;
  format?: { type: string; schema?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

export interface MessagesRequest {
  model: string;
  messages: MessageParam[];
  max_tokens?: number;
  system?: string | TextBlock[];
  tools?: Tool[];
  tool_choice?: unknown;
  stream?: boolean;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  thinking?: ThinkingConfig;
  output_config?: OutputConfig;
  metadata?: unknown;
  context_management?: unknown;
  [key: string]: unknown;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export type ResponseBlock = TextBlock | ToolUseBlock | ThinkingBlock | RedactedThinkingBlock;

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ResponseBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: Usage;
}

export type BlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string };

export type StreamEvent =
  | { type: 'message_start'; message: Message }
  | { type: 'content_block_start'; index: number; content_block: ResponseBlock }
  | { type: 'content_block_delta'; index: number; delta: BlockDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: StopReason | null; stop_sequence: string | null }; usage: Partial<Usage> & { output_tokens: number } }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: ErrorType; message: string } };

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';
