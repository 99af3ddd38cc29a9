import { errors as undiciErrors, type Dispatcher } from 'undici';

/** The outcome of one reachability check. */
export interface ProbeResult {
  ok: boolean;
  /** Reachable and usable, but something deserves a look (shown as `warn`). */
  warning: boolean;
  latencyMs: number | null;
  status: number | null;
  detail: string;
  /** What the user should change, when something is wrong. */
  fix: string | null;
}

/** One backend as GET /health/ready and `doctor` show it. */
export interface ComponentStatus {
  name: 'local' | 'aidb' | 'remote';
  target: string;
  /** Whether the proxy needs it to do what it is configured to do. */
  required: boolean;
  state: 'up' | 'down' | 'disabled';
  warning: boolean;
  latency_ms: number | null;
  detail: string;
  fix: string | null;
  breaker?: BreakerState;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export const probeResult = (ok: boolean, detail: string, extra: Partial<ProbeResult> = {}): ProbeResult => ({
  ok,
  warning: false,
  latencyMs: null,
  status: null,
  detail,
  fix: null,
  ...extra,
});

/** Why a connection attempt failed, in words a user can act on. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof undiciErrors.ConnectTimeoutError || error instanceof undiciErrors.HeadersTimeoutError) return 'timed out';
  if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') return 'timed out';
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  return code ?? (error as Error).message;
}

/**
 * GET one URL with a deadline and classify the answer. `judge` turns a response into a result;
 * network failures become `ok: false` with the reason.
 */
export async function probeHttp(
  dispatcher: Dispatcher,
  url: string,
  options: { headers?: Record<string, string>; timeoutMs: number; signal?: AbortSignal },
  judge: (status: number, body: string, latencyMs: number) => ProbeResult,
): Promise<ProbeResult> {
  const started = performance.now();
  const target = new URL(url);
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  try {
    const response = await dispatcher.request({
      origin: target.origin,
      path: target.pathname + target.search,
      method: 'GET',
      headers: options.headers ?? {},
      signal: AbortSignal.any(signals),
    });
    const body = (await response.body.text()).slice(0, 64 * 1024);
    return judge(response.statusCode, body, Math.round(performance.now() - started));
  } catch (error) {
    return probeResult(false, describeNetworkError(error), { latencyMs: null });
  }
}

/**
 * A probe whose result is reused for `ttlMs`. `current()` never waits: it answers from the cache
 * and starts a refresh in the background when the cache is stale.
 */
export class CachedProbe {
  private last: ProbeResult | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<ProbeResult> | null = null;

  constructor(
    private readonly run: () => Promise<ProbeResult>,
    private readonly ttlMs: number,
    private readonly nowMs: () => number,
  ) {}

  /** The last result (null before the first probe finished); refreshes in the background when stale. */
  current(): ProbeResult | null {
    if (this.stale()) void this.refresh();
    return this.last;
  }

  /** A result no older than the TTL, probing when needed; concurrent callers share one probe. */
  async check(): Promise<ProbeResult> {
    if (!this.stale() && this.last) return this.last;
    return this.refresh();
  }

  private stale(): boolean {
    return this.nowMs() - this.checkedAt >= this.ttlMs;
  }

  private refresh(): Promise<ProbeResult> {
    this.inFlight ??= this.run()
      .catch((error: unknown) => probeResult(false, (error as Error).message))
      .then((result) => {
        this.last = result;
        this.checkedAt = this.nowMs();
        this.inFlight = null;
        return result;
      });
    return this.inFlight;
  }
}

/**
 * A circuit breaker: opens after `failures` consecutive failures, lets one trial request through
 * after `cooldownMs` (half-open), and closes again on its success.
 */
export class Breaker {
  private consecutive = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly nowMs: () => number,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.nowMs() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a request may be sent now; in half-open only one trial at a time. Pair with an outcome. */
  acquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.consecutive = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  failure(): void {
    this.consecutive += 1;
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    if (wasTrial || this.consecutive >= this.failures) this.openedAt = this.nowMs();
  }

  /** The request ended without saying anything about the backend (client gone, request refused before sending). */
  release(): void {
    this.trialInFlight = false;
  }
}

/** Turns a probe result into the shape /health/ready and doctor print. */
export function componentStatus(name: ComponentStatus['name'], target: string, required: boolean, result: ProbeResult | null, breaker?: BreakerState): ComponentStatus {
  const status: ComponentStatus = {
    name,
    target,
    required,
    state: result === null ? 'down' : result.ok ? 'up' : 'down',
    warning: result?.warning ?? false,
    latency_ms: result?.latencyMs ?? null,
    detail: result?.detail ?? 'not probed yet',
    fix: result?.fix ?? null,
  };
  if (breaker !== undefined) status.breaker = breaker;
  return status;
}

export function disabledStatus(name: ComponentStatus['name'], target: string, why: string): ComponentStatus {
  return { name, target, required: false, state: 'disabled', warning: false, latency_ms: null, detail: why, fix: null };
}

/**
 * The remote API answers at all, probed without credentials on GET /v1/models: any HTTP status means
 * the network path works (401 is expected), 5xx and network errors are reported with a fix.
 */
export async function probeRemote(dispatcher: Dispatcher, baseUrl: string, modelsUrl: string, signal?: AbortSignal): Promise<ProbeResult> {
  const result = await probeHttp(dispatcher, modelsUrl, { timeoutMs: 5_000, ...(signal ? { signal } : {}) }, judgeRemote(baseUrl));
  if (!result.ok && result.fix === null) result.fix = `check the network path to ${baseUrl} (proxy, DNS, firewall) or remote.url`;
  return result;
}

function judgeRemote(url: string) {
  return (status: number, _body: string, latencyMs: number): ProbeResult => {
    if (status >= 500) {
      return probeResult(false, `HTTP ${status}`, { status, latencyMs, fix: `the remote API at ${url} is failing; check remote.url or try later` });
    }
    return probeResult(true, status === 401 || status === 403 ? `reachable (HTTP ${status} without credentials)` : `reachable (HTTP ${status})`, { status, latencyMs });
  };
}
