import { probeResult, type ProbeResult } from '../../upstream/probe.js';

function modelIds(body: string): string[] | null {
  try {
    const parsed = JSON.parse(body) as { data?: unknown; models?: unknown };
    const list = Array.isArray(parsed.data) ? parsed.data : Array.isArray(parsed.models) ? parsed.models : null;
    if (!list) return null;
    return list.flatMap((m: unknown) => {
      const entry = m as { id?: unknown; name?: unknown; model?: unknown };
      return [entry.id, entry.name, entry.model].filter((v): v is string => typeof v === 'string');
    });
  } catch {
    return null;
  }
}

/** Judges GET /v1/models of a native or OpenAI-compatible server: reachable, key accepted, model known. */
export function judgeModelList(url: string, model: string) {
  return (status: number, body: string, latencyMs: number): ProbeResult => {
    const base = { status, latencyMs };
    if (status === 401 || status === 403) {
      return probeResult(false, `HTTP ${status}: the backend wants a key`, { ...base, fix: 'put the backend\'s key in the file named by local.apiKeyFile' });
    }
    if (status >= 500) return probeResult(false, `HTTP ${status}`, { ...base, fix: `the server at ${url} is failing: look at its logs` });
    if (status === 404) {
      return probeResult(true, 'reachable (no model list at /v1/models)', { ...base, warning: true, fix: `check that local.url (${url}) is the server's base URL` });
    }
    if (status >= 400) return probeResult(false, `HTTP ${status}`, { ...base, fix: `check local.url (${url})` });
    const ids = modelIds(body);
    if (ids && ids.length > 0 && !ids.includes(model)) {
      const shown = ids.slice(0, 5).join(', ');
      return probeResult(true, `reachable; model "${model}" is not listed (has: ${shown}${ids.length > 5 ? ', …' : ''})`, {
        ...base,
        warning: true,
        fix: `set local.model to one of the listed models (llama.cpp serves whatever it loaded, whatever the name)`,
      });
    }
    return probeResult(true, ids ? `reachable; model "${model}" available` : 'reachable', base);
  };
}
