import type { Config } from '../../../../config/schema.js';
import type { StreamEvent } from '../../../../anthropic/types.js';
import { judgeHealth, type ProbeResult } from '../../../../upstream/probe.js';
import { BackendHttp, readJson } from '../../http.js';
import { LocalFailure, type LocalAdapter, type PreparedRequest } from '../../types.js';
import { coordinatorQuery } from './request.js';
import { replyEvents } from './stream.js';

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
    let reply: unknown;
    try {
      const response = await this.http.post('/query', coordinatorQuery(request), signal);
      reply = await readJson(response.body, this.http.url);
    } catch (error) {
      throw explain(error);
    }
    yield* replyEvents(reply, request, this.local.model);
  }

  async countTokens(): Promise<number | null> {
    return null;
  }

  probe(signal: AbortSignal): Promise<ProbeResult> {
    return this.http.probe(
      '/health',
      signal,
      judgeHealth({ httpError: `check local.url (${this.local.url}) and that the hybrid coordinator runs`, unhealthy: 'the coordinator reports a problem: look at its logs' }),
    );
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
