import type { Config } from '../../../../config/schema.js';
import type { Message, StreamEvent } from '../../../../anthropic/types.js';
import type { ProbeResult } from '../../../../upstream/probe.js';
import { messageToEvents } from '../../events.js';
import { BackendHttp, readJson } from '../../http.js';
import { judgeModelList } from '../../probe.js';
import { sseRecords } from '../../sse-records.js';
import { LocalFailure, type LocalAdapter, type PreparedRequest } from '../../types.js';
import { isObject, type Json } from '../../../../shared/json.js';

/** The API version every native server understands (the client's own header is not forwarded). */
const ANTHROPIC_VERSION = '2023-06-01';

/** Statuses that mean "this server has no count_tokens endpoint" (Ollama): stop asking. */
const NO_ENDPOINT = new Set([404, 405, 501]);

/** The shape checks a stream event must pass before anything reads it. */
function isWellFormed(event: Json): boolean {
  switch (event.type) {
    case 'message_start':
      return isObject(event.message);
    case 'content_block_start':
      return typeof event.index === 'number' && isObject(event.content_block) && typeof event.content_block.type === 'string';
    case 'content_block_delta':
      return typeof event.index === 'number' && isObject(event.delta) && typeof event.delta.type === 'string';
    case 'content_block_stop':
      return typeof event.index === 'number';
    case 'message_delta':
      return isObject(event.delta);
    case 'error':
      return isObject(event.error);
    default:
      return true;
  }
}

const KNOWN_EVENTS = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error']);

/** A native Anthropic Messages server (Ollama ≥ 0.14, llama.cpp, vLLM, LM Studio): `/v1/messages`. */
export class AnthropicAdapter implements LocalAdapter {
  readonly kind = 'anthropic' as const;
  // Local servers differ on output_config; an instruction works on all of them.
  readonly capabilities = { tools: true, jsonSchema: 'instruction' as const };
  private countEndpoint = true;

  constructor(
    private readonly http: BackendHttp,
    private readonly local: Config['local'],
  ) {}

  static create(local: Config['local'], apiKey: string | null): AnthropicAdapter {
    const http = BackendHttp.fromConfig(local, apiKey, (key) => ({ 'x-api-key': key, authorization: `Bearer ${key}` }), { 'anthropic-version': ANTHROPIC_VERSION });
    return new AnthropicAdapter(http, local);
  }

  async *stream(request: PreparedRequest, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const response = await this.http.post('/v1/messages', request.body, signal);
    const type = String(response.headers['content-type'] ?? '');
    if (!type.startsWith('text/event-stream')) {
      yield* messageToEvents(toMessage(await readJson(response.body, this.http.url)));
      return;
    }
    for await (const record of sseRecords(response.body, this.local.maxSseEventBytes)) {
      if (!KNOWN_EVENTS.has(record.event)) continue;
      let data: unknown;
      try {
        data = JSON.parse(record.data);
      } catch {
        throw new LocalFailure('malformed', `${this.http.url} sent an SSE ${record.event} event whose data is not JSON`);
      }
      if (!isObject(data) || !isWellFormed({ ...data, type: record.event })) {
        throw new LocalFailure('malformed', `${this.http.url} sent a malformed ${record.event} event`);
      }
      yield { ...data, type: record.event } as StreamEvent;
    }
  }

  async countTokens(request: PreparedRequest, signal: AbortSignal): Promise<number | null> {
    if (!this.countEndpoint) return null;
    const { max_tokens: _max, stream: _stream, ...body } = request.body;
    try {
      const response = await this.http.post('/v1/messages/count_tokens', body, signal);
      const parsed = await readJson(response.body, this.http.url);
      const count = isObject(parsed) ? parsed.input_tokens : undefined;
      return typeof count === 'number' && count > 0 ? count : null;
    } catch (error) {
      if (error instanceof LocalFailure && error.status !== null && NO_ENDPOINT.has(error.status)) this.countEndpoint = false;
      throw error;
    }
  }

  probe(signal: AbortSignal): Promise<ProbeResult> {
    return this.http.probe('/v1/models', signal, judgeModelList(this.local.url, this.local.model));
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

function toMessage(value: unknown): Message {
  if (!isObject(value) || !Array.isArray(value.content) || !value.content.every((b) => isObject(b) && typeof b.type === 'string')) {
    throw new LocalFailure('malformed', 'the reply is not an Anthropic message');
  }
  const usage = isObject(value.usage) ? value.usage : {};
  return {
    id: typeof value.id === 'string' ? value.id : '',
    type: 'message',
    role: 'assistant',
    model: typeof value.model === 'string' ? value.model : '',
    content: value.content as Message['content'],
    stop_reason: (typeof value.stop_reason === 'string' ? value.stop_reason : 'end_turn') as Message['stop_reason'],
    stop_sequence: typeof value.stop_sequence === 'string' ? value.stop_sequence : null,
    usage: { ...usage, input_tokens: Number(usage.input_tokens) || 0, output_tokens: Number(usage.output_tokens) || 0 },
  };
}
