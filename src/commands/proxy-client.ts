import { readFile } from 'node:fs/promises';
import type { Config } from '../config/schema.js';

/** The URL a client on this machine reaches the proxy at (a wildcard bind is reached on loopback). */
export function proxyUrl(listen: Config['listen']): string {
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '[::1]' : listen.host.includes(':') && !listen.host.startsWith('[') ? `[${listen.host}]` : listen.host;
  return `http://${host}:${listen.port}`;
}

/** The inbound token header, when the proxy wants one (an unreadable file: none, the request then says why). */
export async function tokenHeaders(config: Config): Promise<Record<string, string>> {
  if (config.auth.tokenFile === null) return {};
  try {
    return { 'x-claude-proxy-token': (await readFile(config.auth.tokenFile, 'utf8')).trim() };
  } catch {
    return {};
  }
}

export type Fetched = { ok: true; status: number; body: unknown } | { ok: false; error: string };

/** GET one JSON document from the running proxy within a deadline; never throws. */
export async function fetchJson(base: string, path: string, headers: Record<string, string>, timeoutMs: number): Promise<Fetched> {
  try {
    const response = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    return { ok: true, status: response.status, body: (await response.json()) as unknown };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, error: cause === 'ECONNREFUSED' ? 'not running (connection refused)' : (error as Error).name === 'TimeoutError' ? 'no answer in time' : (error as Error).message };
  }
}

/** Whether the proxy answers /health at all. */
export async function proxyUp(base: string, timeoutMs: number): Promise<boolean> {
  const result = await fetchJson(base, '/health', {}, timeoutMs);
  return result.ok;
}
