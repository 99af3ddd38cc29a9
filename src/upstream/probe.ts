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
