import type { Config } from '../../../../config/schema.js';
import type { StreamEvent } from '../../../../anthropic/types.js';
import type { ProbeResult } from '../../../../upstream/probe.js';
import { BackendHttp, readJson } from '../../http.js';
import { judgeModelList } from '../../probe.js';
import { sseRecords } from '../../sse-records.js';
import { CountEndpoint } from '../../count-endpoint.js';
import type { LocalAdapter, PreparedRequest } from '../../types.js';
import { nativeEvents, replyEvents } from './stream.js';

/** The API version every native server understands (the client's own header is not forwarded). */
const ANTHROPIC_VERSION = '2023-06-01';

/**
 * A native Anthropic Messages server (Ollama ≥ 0.14, llama.cpp, vLLM, LM Studio): `/v1/messages`.
 * The prepared request is already in its shape and goes as it is; the answer is read by stream.ts.
 */
export class AnthropicAdapter implements LocalAdapter {
  readonly kind = 'anthropic' as const;
  // Local servers differ on output_config; an instruction works on all of them.
  readonly capabilities = { tools: true, jsonSchema: 'instruction' as const };
  private readonly counter: CountEndpoint;

  constructor(
    private readonly http: BackendHttp,
    private readonly local: Config['local'],
  ) {
    this.counter = new CountEndpoint(http, '/v1/messages/count_tokens');
  }

  static create(local: Config['local'], apiKey: string | null): AnthropicAdapter {
    const http = BackendHttp.fromConfig(local, apiKey, (key) => ({ 'x-api-key': key, authorization: `Bearer ${key}` }), { 'anthropic-version': ANTHROPIC_VERSION });
    return new AnthropicAdapter(http, local);
  }

  async *stream(request: PreparedRequest, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const response = await this.http.post('/v1/messages', request.body, signal);
    const type = String(response.headers['content-type'] ?? '');
    if (!type.startsWith('text/event-stream')) {
      yield* replyEvents(await readJson(response.body, this.http.url));
      return;
    }
    yield* nativeEvents(sseRecords(response.body, this.local.maxSseEventBytes), this.http.url);
  }

  /** Ollama has no count endpoint: after its first 404 the proxy estimates. */
  async countTokens(request: PreparedRequest, signal: AbortSignal): Promise<number | null> {
    const { max_tokens: _max, stream: _stream, ...body } = request.body;
    return this.counter.count(body, signal);
  }

  probe(signal: AbortSignal): Promise<ProbeResult> {
    return this.http.probe('/v1/models', signal, judgeModelList(this.local.url, this.local.model));
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
