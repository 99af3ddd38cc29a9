import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { MessagesRequest, StreamEvent } from '../../anthropic/types.js';
import { AidbClient } from '../../rag/aidb.js';
import { retrieveContext } from '../../rag/context.js';
import { Breaker } from '../../upstream/breaker.js';
import { CachedProbe, componentStatus, disabledStatus, type ComponentStatus } from '../health.js';
import { AnswerNormalizer } from './normalize.js';
import { localSignature } from './thinking.js';
import { AnthropicAdapter } from './adapters/anthropic/adapter.js';
import { CoordinatorAdapter } from './adapters/coordinator/adapter.js';
import { OpenAiAdapter } from './adapters/openai/adapter.js';
import { prepareForCount, prepareLocal, type PrepareSettings } from './prepare.js';
import { redactSecrets } from '../../shared/redact.js';
import { serveLocal } from './serve.js';
import { asLocalFailure, LocalFailure, type LocalAdapter, type LocalAnswer, type LocalBackend, type LocalExchange } from './types.js';

export interface LocalBackendDeps {
  config: Config;
  /** The local backend's own key (local.apiKeyFile); the client's credentials never go there. */
  apiKey: string | null;
  logger: Logger;
  now: () => Date;
}

/** The adapter for the configured protocol. */
export function createAdapter(local: Config['local'], apiKey: string | null): LocalAdapter {
  switch (local.kind) {
    case 'anthropic':
      return AnthropicAdapter.create(local, apiKey);
    case 'openai':
      return OpenAiAdapter.create(local, apiKey);
    case 'coordinator':
      return CoordinatorAdapter.create(local, apiKey);
  }
}

/**
 * The answer, with its opening held back until the first content delta (a tool call: until it is
 * complete), so a failure up to there can still fall back: `started` settles at that point.
 */
function startAnswer(events: AsyncGenerator<StreamEvent>): { events: AsyncIterable<StreamEvent>; started: Promise<void> } {
  const held: StreamEvent[] = [];
  const started = (async () => {
    try {
      for (;;) {
        const next = await events.next();
        if (next.done) throw new LocalFailure('malformed', 'the answer ended before it began');
        held.push(next.value);
        if (next.value.type !== 'message_start' && next.value.type !== 'ping' && next.value.type !== 'content_block_start') return;
      }
    } catch (error) {
      await events.return(undefined);
      throw error;
    }
  })();
  // The server awaits `started` at once; this only keeps a rejection from counting as unhandled before it does.
  started.catch(() => undefined);
  async function* all(): AsyncGenerator<StreamEvent> {
    try {
      await started;
      yield* held;
      yield* events;
    } finally {
      await events.return(undefined);
    }
  }
  return { events: all(), started };
}

/** The failure with its text cleaned of the local key and credential-shaped strings (it goes to the log and the client). */
function redacted(failure: LocalFailure, apiKey: string | null): LocalFailure {
  const message = redactSecrets(failure.message, apiKey === null ? [] : [apiKey]);
  return message === failure.message ? failure : new LocalFailure(failure.reason, message, failure.status);
}

/** The configured local backend: retrieval, preparation, the adapter, health and breaker. */
class ConfiguredBackend implements LocalBackend {
  readonly backend: string;
  readonly enabled: boolean;
  private readonly adapter: LocalAdapter;
  private readonly aidb: AidbClient | null;
  private readonly breaker: Breaker;
  private readonly probe: CachedProbe;
  private readonly aidbProbe: CachedProbe | null;
  private readonly settings: PrepareSettings;
  private readonly never = new AbortController().signal;

  constructor(private readonly deps: LocalBackendDeps) {
    const { config } = deps;
    const nowMs = () => deps.now().getTime();
    this.adapter = createAdapter(config.local, deps.apiKey);
    this.backend = `local:${this.adapter.kind}`;
    this.enabled = config.local.enabled;
    this.aidb = config.local.enabled && config.rag.enabled ? new AidbClient(config.rag) : null;
    this.breaker = new Breaker(config.local.breakerFailures, config.local.breakerCooldownMs, nowMs);
    this.probe = new CachedProbe(() => this.adapter.probe(this.never), config.local.healthCacheMs, nowMs);
    const aidb = this.aidb;
    this.aidbProbe = aidb ? new CachedProbe(() => aidb.probe(this.never), config.local.healthCacheMs, nowMs) : null;
    this.settings = { local: config.local, answerReserveTokens: config.routing.answerReserveTokens, capabilities: this.adapter.capabilities };
  }

  async open(request: MessagesRequest, signal: AbortSignal, options: { retrieval?: boolean } = {}): Promise<LocalAnswer> {
    if (!this.enabled) throw new LocalFailure('disabled', 'local.enabled is false');
    if (this.breaker.state === 'open') throw this.breakerOpen();
    const retrieval = await retrieveContext(options.retrieval === false ? null : this.aidb, this.deps.config.rag.maxChars, request.messages, signal);
    const { request: prepared, notes } = prepareLocal(request, this.settings, retrieval.context);
    Object.assign(notes, retrieval.note);
    if (!this.breaker.acquire()) throw this.breakerOpen();
    const normalizer = new AnswerNormalizer({
      thinking: prepared.thinking,
      inputTokens: prepared.inputTokens,
      signature: localSignature(this.adapter.kind),
      model: this.deps.config.local.model,
      maxChars: this.deps.config.local.maxOutputTokens * this.deps.config.local.answerCharsPerToken,
    });
    const answer = startAnswer(this.normalized(this.adapter.stream(prepared, signal), normalizer, signal));
    return {
      ...answer,
      backend: this.backend,
      get usageEstimated() {
        return normalizer.estimated;
      },
      notes,
    };
  }

  private breakerOpen(): LocalFailure {
    return new LocalFailure('unhealthy', `${this.backend} failed ${this.deps.config.local.breakerFailures} times in a row; it gets another try after local.breakerCooldownMs`);
  }

  /** The adapter's events made trustworthy, with the outcome told to the breaker. */
  private async *normalized(source: AsyncIterable<StreamEvent>, normalizer: AnswerNormalizer, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    let judged = false;
    try {
      for await (const event of source) yield* normalizer.push(event);
      normalizer.finish();
      this.breaker.success();
      judged = true;
    } catch (error) {
      if (signal.aborted) throw error;
      const failure = redacted(asLocalFailure(error), this.deps.apiKey);
      if (failure.countsAgainstBackend) {
        this.breaker.failure();
        this.probe.doubt();
      } else this.breaker.release();
      judged = true;
      throw failure;
    } finally {
      if (!judged) this.breaker.release();
    }
  }

  async countTokens(request: MessagesRequest, signal: AbortSignal): Promise<number> {
    if (!this.enabled) throw new LocalFailure('disabled', 'local.enabled is false');
    const prepared = prepareForCount(request, this.settings);
    try {
      const counted = await this.adapter.countTokens(prepared, signal);
      if (counted !== null) return counted;
    } catch (error) {
      if (signal.aborted) throw error;
      this.deps.logger.debug({ backend: this.backend, detail: redacted(asLocalFailure(error), this.deps.apiKey).message }, 'backend token count unavailable; estimating');
    }
    return prepared.inputTokens;
  }

  serve(exchange: LocalExchange, res: ServerResponse): Promise<void> {
    return serveLocal(this, exchange, res);
  }

  /** Not known to be unhealthy: a backend not probed yet is tried. */
  healthy(): boolean {
    return this.health() !== 'unhealthy';
  }

  health(): 'healthy' | 'unhealthy' | 'unknown' {
    if (!this.enabled || this.breaker.state === 'open') return 'unhealthy';
    const last = this.probe.current();
    return last === null ? 'unknown' : last.ok ? 'healthy' : 'unhealthy';
  }

  async status(): Promise<ComponentStatus[]> {
    const { local, rag } = this.deps.config;
    const target = `${local.kind} ${local.url}`;
    if (!this.enabled) return [disabledStatus('local', target, 'local.enabled is false'), disabledStatus('aidb', rag.url, 'the local route is off')];
    const [backend, aidb] = await Promise.all([this.probe.check(), this.aidbProbe?.check() ?? Promise.resolve(null)]);
    return [
      componentStatus('local', target, true, backend, this.breaker.state),
      this.aidbProbe ? componentStatus('aidb', rag.url, true, aidb) : disabledStatus('aidb', rag.url, 'rag.enabled is false'),
    ];
  }

  async close(): Promise<void> {
    await Promise.all([this.adapter.close(), this.aidb?.close()]);
  }
}

/** The local backend of the configuration: preparation, retrieval and the configured adapter. */
export function createLocalBackend(deps: LocalBackendDeps): LocalBackend {
  return new ConfiguredBackend(deps);
}
