import type { BreakerState } from '../upstream/breaker.js';
import type { Upstream } from '../upstream/client.js';
import { probeResult, type ProbeJudge, type ProbeResult } from '../upstream/probe.js';
import { errorMessage } from '../shared/errors.js';

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

/**
 * A probe whose result is reused for `ttlMs`. `current()` never waits: it answers from the cache
 * and starts a refresh in the background when the cache is stale and the backend was not healthy.
 * A healthy backend is judged by the requests it serves instead (a failed one calls `doubt`): the router asks
 * while a request is on its way to the backend, and a probe started then raced it there (measured
 * on llama-server: the request went out 1–4 ms later).
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

  /** The last result (null before the first probe finished); refreshes in the background when stale and not healthy. */
  current(): ProbeResult | null {
    if (this.stale() && this.last?.ok !== true) void this.refresh();
    return this.last;
  }

  /** A result no older than the TTL, probing when needed; concurrent callers share one probe. */
  async check(): Promise<ProbeResult> {
    if (!this.stale() && this.last) return this.last;
    return this.refresh();
  }

  /** A request to the backend failed: probe again at once rather than wait for the result to go stale. */
  doubt(): void {
    void this.refresh();
  }

  private stale(): boolean {
    return this.nowMs() - this.checkedAt >= this.ttlMs;
  }

  private refresh(): Promise<ProbeResult> {
    this.inFlight ??= this.run()
      .catch((error: unknown) => probeResult(false, errorMessage(error)))
      .then((result) => {
        this.last = result;
        this.checkedAt = this.nowMs();
        this.inFlight = null;
        return result;
      });
    return this.inFlight;
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
export async function probeRemote(remote: Upstream, signal?: AbortSignal): Promise<ProbeResult> {
  const result = await remote.probe('/v1/models', judgeRemote(remote.url), { timeoutMs: 5_000, ...(signal ? { signal } : {}) });
  if (!result.ok && result.fix === null) result.fix = `check the network path to ${remote.url} (proxy, DNS, firewall) or remote.url`;
  return result;
}

function judgeRemote(url: string): ProbeJudge {
  return (status, _body, latencyMs) => {
    if (status >= 500) {
      return probeResult(false, `HTTP ${status}`, { status, latencyMs, fix: `the remote API at ${url} is failing; check remote.url or try later` });
    }
    return probeResult(true, status === 401 || status === 403 ? `reachable (HTTP ${status} without credentials)` : `reachable (HTTP ${status})`, { status, latencyMs });
  };
}
