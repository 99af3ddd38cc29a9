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
