// An OpenAI-compatible /v1/chat/completions server like llama.cpp or vLLM: it checks the message
// sequence (tool messages must answer the previous assistant's tool_calls), streams text in small
// pieces and tool-call arguments in many small fragments with several calls interleaved, and
// reports usage only when asked (stream_options.include_usage).

import { FakeService } from './fake-service.js';
import type { ServerResponse } from 'node:http';
import type { Received } from './fake-anthropic.js';
import { defaultBrain, fakeTokens, json, limitReply, pieces, type Brain, type Reply, type Seen } from './fake-native.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export type OpenAiFault = 'http500' | 'hang' | 'malformed' | 'cut' | 'invalid-tool-json' | 'no-usage' | 'error-chunk';

/** Why a chat server would reject this body, or null. */
export function chatProblem(body: unknown, model: string): string | null {
  if (!isObject(body)) return 'body must be an object';
  if (body.model !== model) return `model "${String(body.model)}" not found`;
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages required';
  let pendingCalls = new Set<string>();
  for (const [i, message] of body.messages.entries()) {
    if (!isObject(message)) return `messages[${i}] invalid`;
    switch (message.role) {
      case 'system':
      case 'user':
        if (pendingCalls.size > 0) return `messages[${i}]: tool calls ${[...pendingCalls].join(', ')} were not answered`;
        if (typeof message.content !== 'string' && !Array.isArray(message.content)) return `messages[${i}].content invalid`;
        break;
      case 'assistant':
        if (pendingCalls.size > 0) return `messages[${i}]: tool calls were not answered`;
        pendingCalls = new Set(Array.isArray(message.tool_calls) ? message.tool_calls.map((c) => String((c as Json).id)) : []);
        if (Array.isArray(message.tool_calls)) {
          for (const call of message.tool_calls as Json[]) {
            const fn = call.function as Json | undefined;
            if (call.type !== 'function' || typeof fn?.name !== 'string' || typeof fn.arguments !== 'string') return `messages[${i}]: invalid tool call`;
          }
        }
        break;
      case 'tool':
        if (!pendingCalls.delete(String(message.tool_call_id))) return `messages[${i}]: tool message for unknown call ${String(message.tool_call_id)}`;
        if (typeof message.content !== 'string') return `messages[${i}]: tool content must be a string`;
        break;
      default:
        return `messages[${i}]: invalid role "${String(message.role)}"`;
    }
  }
  if (body.tools !== undefined && (!Array.isArray(body.tools) || body.tools.some((t) => !isObject(t) || t.type !== 'function' || !isObject(t.function)))) return 'invalid tools';
  return null;
}

function seeChat(body: Json): Seen {
  const messages = body.messages as Json[];
  const system = messages.filter((m) => m.role === 'system').map((m) => String(m.content)).join('\n');
  const lastAssistant = messages.map((m) => m.role).lastIndexOf('assistant');
  const after = messages.slice(lastAssistant + 1);
  const userText = (m: Json) => (typeof m.content === 'string' ? m.content : (m.content as Json[]).filter((p) => p.type === 'text').map((p) => String(p.text)).join('\n'));
  const format = body.response_format as Json | undefined;
  return {
    system,
    lastUserText: after.filter((m) => m.role === 'user').map(userText).join('\n'),
    toolResults: after.filter((m) => m.role === 'tool').map((m) => String(m.content)),
    toolNames: Array.isArray(body.tools) ? (body.tools as Json[]).map((t) => String((t.function as Json).name)) : [],
    wantsJson: format?.type === 'json_schema',
    maxTokens: Number(body.max_tokens ?? 4096),
  };
}

export class FakeOpenAi extends FakeService {
  readonly accepted: Json[] = [];
  readonly rejected: string[] = [];
  brain: Brain = defaultBrain;
  fault: OpenAiFault | null = null;
  /** Reasoning text streamed before the answer, as reasoning models do. */
  reasoning: string | null = null;
  /** The cut waits for this after the text went out (see holdCut). */
  private cutGate: Promise<void> = Promise.resolve();

  constructor(readonly model = 'qwen-openai') {
    super();
  }

  /** Makes the cut wait until the caller has seen the first text; returns the release. */
  holdCut(): () => void {
    let release!: () => void;
    this.cutGate = new Promise((resolve) => (release = resolve));
    return release;
  }

  reset(): void {
    this.cutGate = Promise.resolve();
    this.accepted.length = 0;
    this.rejected.length = 0;
    this.upstream.received.length = 0;
    this.brain = defaultBrain;
    this.fault = null;
    this.reasoning = null;
  }

  protected async handle(req: Received, res: ServerResponse): Promise<void> {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: this.model, object: 'model' }] });
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return json(res, 404, { error: { message: 'not found' } });
    const body = JSON.parse(req.body.toString('utf8')) as Json;
    const problem = chatProblem(body, this.model);
    if (problem) {
      this.rejected.push(problem);
      return json(res, 400, { error: { message: problem, type: 'invalid_request_error' } });
    }
    this.accepted.push(body);
    if (this.fault === 'http500') return json(res, 500, { error: { message: 'out of memory', type: 'server_error' } });
    if (this.fault === 'hang') return void (await req.closed);
    const seen = seeChat(body);
    const reply: Reply = limitReply(this.brain(seen), seen.maxTokens);
    const calls = reply.blocks.flatMap((b, i) =>
      b.type === 'tool_use' ? [{ id: b.id ?? `call_${this.accepted.length}_${i}`, name: b.name, args: this.fault === 'invalid-tool-json' ? '{"command": "ls' : JSON.stringify(b.input) }] : [],
    );
    const text = reply.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    const finish = reply.stop_reason === 'max_tokens' ? 'length' : calls.length > 0 ? 'tool_calls' : 'stop';
    const promptTokens = fakeTokens(JSON.stringify(body.messages) + JSON.stringify(body.tools ?? ''));
    const completionTokens = fakeTokens(text + calls.map((c) => c.args).join('') + (this.reasoning ?? ''));
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const id = `chatcmpl-${this.accepted.length}`;

    if (body.stream !== true) {
      const message: Json = { role: 'assistant', content: text === '' ? null : text };
      if (this.reasoning) message.reasoning_content = this.reasoning;
      if (calls.length > 0) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args } }));
      return json(res, 200, { id, object: 'chat.completion', model: this.model, choices: [{ index: 0, message, finish_reason: finish }], ...(this.fault === 'no-usage' ? {} : { usage }) });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: Json, finishReason: string | null = null, extra: Json = {}) =>
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: this.model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`);
    chunk({ role: 'assistant', content: '' });
    if (this.fault === 'malformed') return void res.end('data: {"id": "broken\n\n');
    if (this.fault === 'error-chunk') return void res.end(`data: ${JSON.stringify({ error: { message: 'context shift failed' } })}\n\n`);
    for (const piece of pieces(this.reasoning ?? '', 6)) chunk({ reasoning_content: piece });
    for (const piece of pieces(text, 4)) chunk({ content: piece });
    if (this.fault === 'cut') {
      await this.cutGate;
      return void res.destroy();
    }
    // All calls announce themselves in one chunk, then their argument fragments interleave, one per chunk.
    if (calls.length > 0) chunk({ tool_calls: calls.map((call, index) => ({ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } })) });
    const fragments = calls.map((call) => pieces(call.args, 3));
    for (let round = 0; fragments.some((f) => round < f.length); round++) {
      fragments.forEach((f, index) => {
        if (round < f.length) chunk({ tool_calls: [{ index, function: { arguments: f[round] } }] });
      });
    }
    chunk({}, finish);
    const streamOptions = body.stream_options as Json | undefined;
    if (streamOptions?.include_usage === true && this.fault !== 'no-usage') {
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: this.model, choices: [], usage })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }
}
