// A strict native Anthropic Messages server like Ollama's /v1/messages: it rejects roles, fields and
// block types it does not know, answers from a scripted "brain", streams in small pieces, reports
// real usage, and can misbehave on request (faults).

import { FakeService } from './fake-service.js';
import type { ServerResponse } from 'node:http';
import type { Received } from './fake-anthropic.js';

export type ReplyBlock = { type: 'text'; text: string } | { type: 'tool_use'; name: string; input: unknown; id?: string } | { type: 'thinking'; thinking: string };

/** One answer the fake model gives. */
export interface Reply {
  blocks: ReplyBlock[];
  stop_reason?: 'end_turn' | 'tool_use' | 'max_tokens';
}

/** What a brain sees: the conversation in plain terms, whatever the wire protocol was. */
export interface Seen {
  system: string;
  /** Text of the latest user turn (tool results excluded). */
  lastUserText: string;
  /** Content of tool results in the latest user turn. */
  toolResults: string[];
  toolNames: string[];
  /** The reply must be JSON matching this schema (native structured output or an instruction). */
  wantsJson: boolean;
  maxTokens: number;
}

export type Brain = (seen: Seen) => Reply;

/** Behaves like a small helpful model: answers questions, calls Bash when asked to run something, reads tool results. */
export const defaultBrain: Brain = (seen) => {
  if (seen.wantsJson) return { blocks: [{ type: 'text', text: JSON.stringify({ title: 'Fake model title' }) }] };
  if (seen.toolResults.length > 0) return { blocks: [{ type: 'text', text: `The tool said: ${seen.toolResults.join(' | ').trim()}` }] };
  const run = /run `([^`]+)`/.exec(seen.lastUserText);
  if (run && seen.toolNames.includes('Bash')) {
    return { blocks: [{ type: 'text', text: 'Running it.' }, { type: 'tool_use', name: 'Bash', input: { command: run[1], description: 'Run the command' } }], stop_reason: 'tool_use' };
  }
  return { blocks: [{ type: 'text', text: `Local answer to: ${seen.lastUserText.slice(0, 200)}` }] };
};

export type NativeFault = 'http500' | 'hang' | 'malformed-sse' | 'malformed-sse-late' | 'cut-early' | 'cut-at-block-start' | 'cut-late' | 'stall-late' | 'invalid-tool-json' | 'error-event' | 'no-usage';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const TOP_LEVEL = new Set(['model', 'messages', 'system', 'max_tokens', 'stream', 'tools', 'tool_choice', 'stop_sequences', 'temperature', 'top_p', 'top_k']);
const BLOCK_KEYS: Record<string, Set<string>> = {
  text: new Set(['type', 'text', 'cache_control']),
  image: new Set(['type', 'source', 'cache_control']),
  tool_use: new Set(['type', 'id', 'name', 'input', 'cache_control']),
  tool_result: new Set(['type', 'tool_use_id', 'content', 'is_error', 'cache_control']),
};
const TOOL_KEYS = new Set(['name', 'description', 'input_schema', 'cache_control']);

/** Why a strict server would reject this body, or null. */
export function strictProblem(body: unknown, model: string, maxTokens: number): string | null {
  if (!isObject(body)) return 'body must be an object';
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return `unknown field "${key}"`;
  if (body.model !== model) return `model "${String(body.model)}" not found`;
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1 || (body.max_tokens as number) > maxTokens) return `max_tokens must be 1..${maxTokens}`;
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages required';
  const blocksProblem = (blocks: unknown, at: string): string | null => {
    if (typeof blocks === 'string') return null;
    if (!Array.isArray(blocks)) return `${at}: content must be a string or a list`;
    for (const block of blocks) {
      if (!isObject(block) || typeof block.type !== 'string') return `${at}: invalid block`;
      const keys = BLOCK_KEYS[block.type];
      if (!keys) return `${at}: unsupported content type "${block.type}"`;
      for (const key of Object.keys(block)) if (!keys.has(key)) return `${at}: unknown field "${key}" in ${block.type}`;
      if (block.type === 'tool_result' && block.content !== undefined) {
        const inner = blocksProblem(block.content, `${at}.tool_result`);
        if (inner) return inner;
      }
    }
    return null;
  };
  for (const [i, message] of body.messages.entries()) {
    if (!isObject(message)) return `messages.${i}: invalid`;
    if (message.role !== 'user' && message.role !== 'assistant') return `messages.${i}: invalid role "${String(message.role)}"`;
    const problem = blocksProblem(message.content, `messages.${i}`);
    if (problem) return problem;
  }
  if (body.system !== undefined) {
    const problem = blocksProblem(body.system, 'system');
    if (problem) return problem;
    if (Array.isArray(body.system) && body.system.some((b) => isObject(b) && b.type !== 'text')) return 'system blocks must be text';
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return 'tools must be a list';
    for (const tool of body.tools) {
      if (!isObject(tool)) return 'invalid tool';
      for (const key of Object.keys(tool)) if (!TOOL_KEYS.has(key)) return `unknown field "${key}" in tool ${String(tool.name)}`;
    }
  }
  return null;
}

/** Characters per token the fake "tokenizer" uses. */
export const fakeTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => (isObject(b) && b.type === 'text' && typeof b.text === 'string' ? b.text : '')).join('\n');
}

export function seeNative(body: Json): Seen {
  const messages = body.messages as Json[];
  const last = [...messages].reverse().find((m) => m.role === 'user') ?? {};
  const content = Array.isArray(last.content) ? (last.content as Json[]) : [{ type: 'text', text: String(last.content ?? '') }];
  const system = typeof body.system === 'string' ? body.system : textOf(body.system);
  return {
    system,
    // Claude Code puts <system-reminder> blocks before the prompt; a model answers the prompt.
    lastUserText: content
      .filter((b) => b.type === 'text' && !String(b.text).startsWith('<system-reminder>'))
      .map((b) => String(b.text))
      .join('\n'),
    toolResults: content.filter((b) => b.type === 'tool_result').map((b) => textOf(b.content)),
    toolNames: Array.isArray(body.tools) ? (body.tools as Json[]).map((t) => String(t.name)) : [],
    wantsJson: system.includes('JSON schema'),
    maxTokens: Number(body.max_tokens),
  };
}

/** Cuts a reply to `maxTokens` the way a model stops when it runs out. */
export function limitReply(reply: Reply, maxTokens: number): Reply {
  let left = maxTokens;
  const blocks: ReplyBlock[] = [];
  for (const block of reply.blocks) {
    if (block.type !== 'text') {
      blocks.push(block);
      continue;
    }
    const tokens = fakeTokens(block.text);
    if (tokens <= left) {
      blocks.push(block);
      left -= tokens;
      continue;
    }
    blocks.push({ type: 'text', text: block.text.slice(0, left * 4) });
    return { blocks, stop_reason: 'max_tokens' };
  }
  return reply;
}

/** A string cut into small pieces, as a model streams it. */
export const pieces = (text: string, size = 3): string[] => text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];

export class FakeNative extends FakeService {
  /** Bodies the fake accepted, parsed. */
  readonly accepted: Json[] = [];
  /** Why bodies were rejected. */
  readonly rejected: string[] = [];
  brain: Brain = defaultBrain;
  fault: NativeFault | null = null;
  countTokens = false;
  /** Late faults wait for this after the first text went out (see holdLateFault). */
  private lateGate: Promise<void> = Promise.resolve();

  constructor(
    /** maxTokens: the largest max_tokens it accepts (default 32768, a whole llama-server window); key: the API key it requires. */
    readonly options: { model?: string; maxTokens?: number; key?: string } = {},
  ) {
    super();
  }

  get model(): string {
    return this.options.model ?? 'qwen-native';
  }

  /** Makes a late fault wait until the caller has seen the first text; returns the release. */
  holdLateFault(): () => void {
    let release!: () => void;
    this.lateGate = new Promise((resolve) => (release = resolve));
    return release;
  }

  reset(): void {
    this.lateGate = Promise.resolve();
    this.accepted.length = 0;
    this.rejected.length = 0;
    this.upstream.received.length = 0;
    this.brain = defaultBrain;
    this.fault = null;
  }

  protected async handle(req: Received, res: ServerResponse): Promise<void> {
    if (this.options.key && req.headers['x-api-key'] !== this.options.key) return json(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid key' } });
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: this.model, object: 'model' }] });
    if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/count_tokens')) return json(res, 404, { error: 'not found' });
    let body: Json;
    try {
      body = JSON.parse(req.body.toString('utf8')) as Json;
    } catch {
      return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'invalid JSON' } });
    }
    if (path === '/v1/messages/count_tokens') {
      if (!this.countTokens) return json(res, 404, { error: 'not found' });
      return json(res, 200, { input_tokens: fakeTokens(JSON.stringify(body)) });
    }
    const problem = strictProblem(body, this.model, this.options.maxTokens ?? 32_768);
    if (problem) {
      this.rejected.push(problem);
      return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: problem } });
    }
    this.accepted.push(body);
    const fault = this.fault;
    if (fault === 'http500') return json(res, 500, { type: 'error', error: { type: 'api_error', message: 'model runner crashed' } });
    if (fault === 'hang') return void (await req.closed);
    const seen = seeNative(body);
    let reply = limitReply(this.brain(seen), seen.maxTokens);
    if (fault === 'invalid-tool-json') reply = { blocks: [{ type: 'tool_use', name: 'Bash', input: '{"command": "ls' }], stop_reason: 'tool_use' };
    const inputTokens = fakeTokens(JSON.stringify(body.messages) + JSON.stringify(body.system ?? '') + JSON.stringify(body.tools ?? ''));
    const outputTokens = reply.blocks.reduce((n, b) => n + fakeTokens(b.type === 'text' ? b.text : b.type === 'thinking' ? b.thinking : JSON.stringify(b.input)), 0);
    const usage = fault === 'no-usage' ? { input_tokens: 0, output_tokens: 0 } : { input_tokens: inputTokens, output_tokens: outputTokens };
    type Out = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown } | { type: 'thinking'; thinking: string; signature: string };
    const content = reply.blocks.map((b, i): Out =>
      b.type === 'tool_use' ? { type: 'tool_use', id: b.id ?? `toolu_native_${this.accepted.length}_${i}`, name: b.name, input: b.input } : b.type === 'thinking' ? { ...b, signature: 'ollama-sig' } : b,
    );
    const stopReason = reply.stop_reason ?? (reply.blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    const message = { id: `msg_native_${this.accepted.length}`, type: 'message', role: 'assistant', model: this.model, content, stop_reason: stopReason, stop_sequence: null, usage };
    if (body.stream !== true) return json(res, 200, message);

    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (event: Json) => res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
    send({ type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } } });
    if (fault === 'malformed-sse') return void res.end('event: content_block_start\ndata: {"type": "content_block_start", "index": 0, \n\n');
    if (fault === 'cut-early') return void res.destroy();
    if (fault === 'error-event') return void res.end(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } })}\n\n`);
    send({ type: 'ping' });
    for (const [index, block] of content.entries()) {
      if (block.type === 'text') {
        send({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        if (fault === 'cut-at-block-start') return void res.destroy();
        for (const piece of pieces(String(block.text), 5)) send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
        if (fault === 'cut-late' || fault === 'stall-late' || fault === 'malformed-sse-late') await this.lateGate;
        if (fault === 'cut-late') return void res.destroy();
        if (fault === 'stall-late') return void (await req.closed);
        if (fault === 'malformed-sse-late') return void res.end('event: content_block_delta\ndata: {oops\n\n');
      } else if (block.type === 'thinking') {
        send({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        send({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: String(block.thinking) } });
        send({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'ollama-sig' } });
      } else {
        send({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
        const input = typeof block.input === 'string' ? block.input : JSON.stringify(block.input);
        for (const piece of pieces(input, 4)) send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
      send({ type: 'content_block_stop', index });
    }
    send({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    send({ type: 'message_stop' });
    res.end();
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
