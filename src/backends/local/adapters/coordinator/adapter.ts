import type { Config } from '../../../../config/schema.js';
import type { MessageParam, MessagesRequest, StopReason, StreamEvent } from '../../../../anthropic/types.js';
import { CHARS_PER_TOKEN, estimateText } from '../../../../routing/estimate.js';
import { healthStatus, isHealthyStatus, probeResult, type ProbeResult } from '../../../../upstream/probe.js';
import { blockEvents, messageEnd, messageStart } from '../../events.js';
import { BackendHttp, readJson } from '../../http.js';
import { LocalFailure, type LocalAdapter, type PreparedRequest } from '../../types.js';
import { isObject } from '../../../../shared/json.js';


/**
 * The local AI stack's hybrid coordinator: `POST /query` with `generate_response: true`. It takes
 * one prompt and answers with text, so the conversation is rendered as a transcript, tools are not
 * offered, and usage is counted by the proxy.
 */
export class CoordinatorAdapter implements LocalAdapter {
  readonly kind = 'coordinator' as const;
  readonly capabilities = { tools: false, jsonSchema: 'instruction' as const };

  constructor(
    private readonly http: BackendHttp,
    private readonly local: Config['local'],
  ) {}

  static create(local: Config['local'], apiKey: string | null): CoordinatorAdapter {
    return new CoordinatorAdapter(
      BackendHttp.fromConfig(local, apiKey, (key) => ({ 'x-api-key': key })),
      local,
    );
  }

  async *stream(request: PreparedRequest, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const { body } = request;
    const query = {
      prompt: renderPrompt(body),
      generate_response: true,
      prefer_local: true,
      context: { client: 'claude-api-proxy', max_tokens: body.max_tokens },
    };
    let reply: unknown;
    try {
      const response = await this.http.post('/query', query, signal);
      reply = await readJson(response.body, this.http.url);
    } catch (error) {
      throw explain(error);
    }
    const answer = isObject(reply) ? (reply.response ?? reply.answer) : undefined;
    if (typeof answer !== 'string') {
      throw new LocalFailure('malformed', 'the coordinator answered without a "response" text (does it support generate_response?)');
    }
    let text = request.format ? jsonOnly(answer) : answer;
    let stop: StopReason = 'end_turn';
    const limit = body.max_tokens ?? Number.POSITIVE_INFINITY;
    if (estimateText(text) > limit) {
      text = text.slice(0, limit * CHARS_PER_TOKEN);
      stop = 'max_tokens';
    }
    const model = isObject(reply) && typeof reply.backend === 'string' && reply.backend !== '' ? `${this.local.model} (${reply.backend})` : this.local.model;
    // Usage stays zero here: the answer normalizer counts it and marks it estimated.
    yield messageStart(model, { input_tokens: 0, output_tokens: 0 });
    yield* blockEvents(0, { type: 'text', text });
    yield* messageEnd(stop, { output_tokens: 0 });
  }

  async countTokens(): Promise<number | null> {
    return null;
  }

  probe(signal: AbortSignal): Promise<ProbeResult> {
    return this.http.probe('/health', signal, (status, text, latencyMs) => {
      const base = { status, latencyMs };
      if (status >= 400) return probeResult(false, `HTTP ${status}`, { ...base, fix: `check local.url (${this.local.url}) and that the hybrid coordinator runs` });
      const state = healthStatus(text);
      if (isHealthyStatus(state)) return probeResult(true, `status ${String(state)}`, base);
      return probeResult(false, `status ${JSON.stringify(state ?? text.slice(0, 80))}`, { ...base, fix: 'the coordinator reports a problem: look at its logs' });
    });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** Coordinator errors in words that say what to do. */
function explain(error: unknown): unknown {
  if (!(error instanceof LocalFailure) || error.reason !== 'http_error') return error;
  if (error.status === 401 || error.status === 403) {
    return new LocalFailure('http_error', `${error.message} (set local.apiKeyFile to a file holding the coordinator's HYBRID_API_KEY)`, error.status);
  }
  if (error.status === 404) return new LocalFailure('http_error', `${error.message} (this coordinator has no POST /query: update it, or use local.kind anthropic/openai)`, error.status);
  return error;
}

function messageText(message: MessageParam): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
    .filter((text) => text !== '')
    .join('\n\n');
}

/** The conversation as one prompt: the system text, then the turns; a lone question goes as it is. */
export function renderPrompt(body: MessagesRequest): string {
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => b.text).join('\n\n');
  const turns = body.messages.map((m) => ({ role: m.role, text: messageText(m) })).filter((t) => t.text !== '');
  if (system === '' && turns.length === 1 && turns[0]?.role === 'user') return turns[0].text;
  const lines = system === '' ? [] : [system];
  for (const turn of turns) lines.push(`${turn.role === 'assistant' ? 'Assistant' : 'User'}: ${turn.text}`);
  lines.push('Assistant:');
  return lines.join('\n\n');
}

/** The JSON object inside an answer that was asked to be only JSON (models like code fences). */
function jsonOnly(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(trimmed);
  const candidate = fenced?.[1] ?? trimmed;
  const start = candidate.indexOf('{');
  const end = candidate.lastIndexOf('}');
  return start >= 0 && end > start ? candidate.slice(start, end + 1) : candidate;
}
