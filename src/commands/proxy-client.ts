import { readFile } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { HEADER } from '../shared/headers.js';
import { Upstream } from '../upstream/client.js';
import { classifyNetworkError } from '../upstream/failure.js';

/** The URL a client on this machine reaches the proxy at (a wildcard bind is reached on loopback). */
export function proxyUrl(listen: Config['listen']): string {
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '[::1]' : listen.host.includes(':') && !listen.host.startsWith('[') ? `[${listen.host}]` : listen.host;
  return `http://${host}:${listen.port}`;
}

/** The inbound token header, when the proxy wants one (an unreadable file: none, the request then says why). */
export async function tokenHeaders(config: Config): Promise<Record<string, string>> {
  if (config.auth.tokenFile === null) return {};
  try {
    return { [HEADER.token]: (await readFile(config.auth.tokenFile, 'utf8')).trim() };
  } catch {
    return {};
  }
}

export type Fetched = { ok: true; status: number; body: unknown } | { ok: false; error: string };

/** GET one JSON document from the running proxy within a deadline; never throws. */
export async function fetchJson(base: string, path: string, headers: Record<string, string>, timeoutMs: number): Promise<Fetched> {
  const proxy = new Upstream(base, { connectTimeoutMs: timeoutMs });
  try {
    const response = await proxy.request(path, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs) });
    return { ok: true, status: response.statusCode, body: await response.body.json() };
  } catch (error) {
    const failure = classifyNetworkError(error);
    return { ok: false, error: failure.kind === 'refused' ? 'not running (connection refused)' : failure.kind === 'timeout' ? 'no answer in time' : failure.detail };
  } finally {
    await proxy.close();
  }
}

/** Whether a proxy answers on the address at all (any HTTP answer counts, even a refusal). */
export async function proxyUp(base: string, timeoutMs: number): Promise<boolean> {
  const proxy = new Upstream(base, { connectTimeoutMs: timeoutMs });
  try {
    const response = await proxy.request('/health', { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    await response.body.dump();
    return true;
  } catch {
    return false;
  } finally {
    await proxy.close();
  }
}
