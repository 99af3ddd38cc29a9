import type { Config } from '../../../../config/schema.js';
import type { StreamEvent } from '../../../../anthropic/types.js';
import type { ProbeResult } from '../../../../upstream/probe.js';
import { BackendHttp, readJson } from '../../http.js';
import { toChatRequest } from './request.js';
import { ChatStreamTranslator } from './stream.js';
import { judgeModelList } from '../../probe.js';
import { sseRecords } from '../../sse-records.js';
import { CountEndpoint } from '../../count-endpoint.js';
import { LocalFailure, type LocalAdapter, type PreparedRequest } from '../../types.js';

/** An OpenAI-compatible server: `/v1/chat/completions`, translated both ways. */
export class OpenAiAdapter implements LocalAdapter {
  readonly kind = 'openai' as const;
  readonly capabilities = { tools: true, jsonSchema: 'native' as const };
  private readonly counter: CountEndpoint;

  constructor(
    private readonly http: BackendHttp,
    private readonly local: Config['local'],
  ) {
    this.counter = new CountEndpoint(http, '/v1/chat/completions/input_tokens');
  }

  static create(local: Config['local'], apiKey: string | null): OpenAiAdapter {
    return new OpenAiAdapter(
      BackendHttp.fromConfig(local, apiKey, (key) => ({ authorization: `Bearer ${key}` })),
      local,
    );
  }

  async *stream(request: PreparedRequest, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const response = await this.http.post('/v1/chat/completions', toChatRequest(request), signal);
    const translator = new ChatStreamTranslator(this.local.model, request.body.stop_sequences);
    const type = String(response.headers['content-type'] ?? '');
    if (!type.startsWith('text/event-stream')) {
      // One JSON completion: its message is the only "delta".
      yield* translator.push(await readJson(response.body, this.http.url));
      yield* translator.finish();
      return;
    }
    for await (const record of sseRecords(response.body, this.local.maxSseEventBytes)) {
      if (record.data === '[DONE]') break;
      let chunk: unknown;
      try {
        chunk = JSON.parse(record.data);
      } catch {
        throw new LocalFailure('malformed', `${this.http.url} sent a chunk that is not JSON`);
      }
      yield* translator.push(chunk);
      // Leaving the loop closes the connection, which stops the server generating.
      if (translator.stopped) break;
    }
    // A stream cut before its finish_reason fails here; one cut only before [DONE] is complete.
    yield* translator.finish();
  }

  /** llama.cpp counts a chat request at `/v1/chat/completions/input_tokens`; elsewhere the proxy estimates. */
  async countTokens(request: PreparedRequest, signal: AbortSignal): Promise<number | null> {
    const { stream: _stream, stream_options: _options, max_tokens: _max, ...chat } = toChatRequest(request);
    return this.counter.count(chat, signal);
  }

  probe(signal: AbortSignal): Promise<ProbeResult> {
    return this.http.probe('/v1/models', signal, judgeModelList(this.local.url, this.local.model));
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
