import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { MessagesRequest, StreamEvent } from '../../anthropic/types.js';
import { AidbClient } from '../../rag/aidb.js';
import { retrieveContext } from '../../rag/context.js';
import { Breaker, CachedProbe, componentStatus, disabledStatus, type ComponentStatus } from '../health.js';
import { AnswerNormalizer, localSignature } from './answer.js';
import { AnthropicAdapter } from './anthropic.js';
import { CoordinatorAdapter } from './coordinator.js';
import { OpenAiAdapter } from './openai.js';
import { prepareForCount, prepareLocal, type PrepareSettings } from './prepare.js';
import { LocalFailure, type LocalAdapter, type LocalAnswer, type LocalLeg } from './types.js';

export interface LocalLegDeps {
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

function asLocalFailure(error: unknown): LocalFailure {
  return error instanceof LocalFailure ? error : new LocalFailure('malformed', (error as Error).message);
}

/** Events already pulled, then the rest of the answer. */
async function* replay(held: StreamEvent[], rest: AsyncGenerator<StreamEvent>): AsyncGenerator<StreamEvent> {
  try {
    yield* held;
    yield* rest;
  } finally {
    await rest.return(undefined);
  }
}

/** The local route: retrieval, preparation, the configured adapter, health and breaker. */
class LocalRoute implements LocalLeg {
  readonly backend: string;
  readonly enabled: boolean;
  private readonly adapter: LocalAdapter;
  private readonly aidb: AidbClient | null;
  private readonly breaker: Breaker;
  private readonly probe: CachedProbe;
  private readonly aidbProbe: CachedProbe | null;
  private readonly settings: PrepareSettings;
  private readonly never = new AbortController().signal;

  constructor(private readonly deps: LocalLegDeps) {
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
    });
    const events = this.normalized(this.adapter.stream(prepared, signal), normalizer, signal);
    // Hold the opening events until the first content delta (a tool call: until it is complete), so a
    // failure up to there can still fall back.
    const held: StreamEvent[] = [];
    try {
      for (;;) {
        const next = await events.next();
        if (next.done) throw new LocalFailure('malformed', 'the answer ended before it began');
        held.push(next.value);
        if (next.value.type !== 'message_start' && next.value.type !== 'ping' && next.value.type !== 'content_block_start') break;
      }
    } catch (error) {
      await events.return(undefined);
      throw error;
    }
    const [first, ...rest] = held as [StreamEvent, ...StreamEvent[]];
    return {
      first,
      rest: replay(rest, events),
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
      const failure = asLocalFailure(error);
      if (failure.countsAgainstBackend) this.breaker.failure();
      else this.breaker.release();
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
      this.deps.logger.debug({ backend: this.backend, detail: (error as Error).message }, 'backend token count unavailable; estimating');
    }
    return prepared.inputTokens;
  }

  healthy(): boolean {
    if (!this.enabled || this.breaker.state === 'open') return false;
    return this.probe.current()?.ok !== false;
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

/** The local route: preparation, retrieval and the configured adapter. */
export function createLocalLeg(deps: LocalLegDeps): LocalLeg {
  return new LocalRoute(deps);
}
