import { isObject } from '../shared/json.js';

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

/** Turns one probe answer into a result. */
export type ProbeJudge = (status: number, body: string, latencyMs: number) => ProbeResult;

export const probeResult = (ok: boolean, detail: string, extra: Partial<ProbeResult> = {}): ProbeResult => ({
  ok,
  warning: false,
  latencyMs: null,
  status: null,
  detail,
  fix: null,
  ...extra,
});

/** The `status` field of a JSON `/health` answer (`{"status": "ok"}`); undefined for any other body. */
export function healthStatus(body: string): unknown {
  try {
    const health: unknown = JSON.parse(body);
    return isObject(health) ? health.status : undefined;
  } catch {
    return undefined;
  }
}

export const isHealthyStatus = (status: unknown): boolean => status === 'ok' || status === 'healthy';

/** Judges a JSON `/health` answer: an HTTP error, a healthy `status`, or the status it reported; each failure with its fix. */
export function judgeHealth(fixes: { httpError: string; unhealthy: string }): ProbeJudge {
  return (status, text, latencyMs) => {
    const base = { status, latencyMs };
    if (status >= 400) return probeResult(false, `HTTP ${status}`, { ...base, fix: fixes.httpError });
    const state = healthStatus(text);
    if (isHealthyStatus(state)) return probeResult(true, `status ${String(state)}`, base);
    return probeResult(false, `status ${JSON.stringify(state ?? text.slice(0, 80))}`, { ...base, fix: fixes.unhealthy });
  };
}
