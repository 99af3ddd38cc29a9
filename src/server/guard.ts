import { timingSafeEqual } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Config } from '../config/schema.js';
import { isLoopbackHost } from '../config/load.js';
import { ApiError } from '../anthropic/errors.js';
import { HEADER } from '../shared/headers.js';
import { pathOf } from '../shared/path.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client used the inbound proxy token as its API credential: replace it before forwarding. */
    credentialIsProxyToken: boolean;
  }
}

// RFC 9110 authority: a bracketed IPv6 address or a plain name, then at most a numeric port.
const AUTHORITY = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?))(?::(\d{1,5}))?$/i;

/** The host name of a Host header (IPv6 in brackets, lower case), or null when it is not an authority. */
function hostnameOf(hostHeader: string): string | null {
  const match = AUTHORITY.exec(hostHeader);
  if (!match) return null;
  const [, ipv6, name, port] = match;
  if (port !== undefined && Number(port) > 65_535) return null;
  if (ipv6 !== undefined) return isIPv6(ipv6) ? `[${ipv6.toLowerCase()}]` : null;
  return (name ?? '').toLowerCase();
}

/** Node keeps the first of several Host headers; a request that sends two is ambiguous and refused. */
function hostHeaders(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name !== undefined && name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

// Dot segments, encoded separators and NUL could step out of the remote base path upstream.
const UNSAFE_PATH = /%2f|%5c|%00|\\|(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/** Only origin-form targets with a plain path are served (no absolute-form, no `//host`, no traversal). */
function safeTarget(url: string): boolean {
  if (url.charCodeAt(0) !== 47 /* / */ || url.charCodeAt(1) === 47) return false;
  return !UNSAFE_PATH.test(pathOf(url));
}

/**
 * The only paths the proxy's own origin may call with an Origin: the dashboard's corrections. The
 * API stays refused to every page, ours included (a passed-through file could be rendered there).
 */
const DASHBOARD_POSTS = new Set(['/feedback']);

function sameSecret(given: string, expected: Buffer): boolean {
  const buf = Buffer.from(given);
  return buf.length === expected.length && timingSafeEqual(buf, expected);
}

/**
 * The first hook of every request: Host allowlist (DNS rebinding), browser Origin check, and the
 * inbound token when one is configured. Cheap checks only; nothing here reads the body. A callback
 * hook, not an async one: it runs on every request and needs no promise.
 */
export function createGuard(listen: Config['listen'], inboundToken: string | null) {
  const names = [listen.host, ...listen.allowedHosts].map((h) => h.toLowerCase());
  // An IPv6 address is written in brackets in a Host header.
  const allowedHosts = new Set([...names, ...names.filter((h) => isIPv6(h)).map((h) => `[${h}]`)]);
  const anyHost = allowedHosts.has('*');
  const allowedOrigins = new Set(listen.allowedOrigins);
  const token = inboundToken === null ? null : Buffer.from(inboundToken);

  /** Why the request is refused, or null; marks a credential that is the proxy token. */
  function refusal(request: FastifyRequest): ApiError | null {
    request.credentialIsProxyToken = false;
    const host = request.headers.host;
    if (host === undefined) return new ApiError('invalid_request_error', 'claude-api-proxy: a Host header is required');
    if (hostHeaders(request.raw.rawHeaders) > 1) return new ApiError('invalid_request_error', 'claude-api-proxy: more than one Host header');
    if (!anyHost) {
      const name = hostnameOf(host);
      if (name === null || (!isLoopbackHost(name) && !allowedHosts.has(name))) {
        return new ApiError('permission_error', `host ${JSON.stringify(host ?? '')} is not allowed (listen.allowedHosts)`);
      }
    }
    const origin = request.headers.origin;
    // Browsers send Origin on the dashboard's own POSTs; the Host check above already refused a rebound name.
    const sameOrigin = !anyHost && origin === `http://${host}` && DASHBOARD_POSTS.has(pathOf(request.url));
    if (origin !== undefined && !sameOrigin && !allowedOrigins.has(origin)) {
      return new ApiError('permission_error', `browser origin ${JSON.stringify(origin)} is not allowed (listen.allowedOrigins)`);
    }
    // A page elsewhere sends GETs (<img>, <script>) without Origin; the browser still says where they come from.
    const site = request.headers['sec-fetch-site'];
    if (origin === undefined && (site === 'cross-site' || site === 'same-site')) {
      return new ApiError('permission_error', `a browser request from another site (sec-fetch-site: ${site}) is not allowed`);
    }
    if (!safeTarget(request.url)) return new ApiError('invalid_request_error', 'claude-api-proxy: the request path is not allowed (dot segments, encoded slashes or NUL)');
    if (token === null) return null;
    const dedicated = request.headers[HEADER.token];
    if (typeof dedicated === 'string' && sameSecret(dedicated, token)) return null;
    const apiKey = request.headers['x-api-key'];
    const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if ((typeof apiKey === 'string' && sameSecret(apiKey, token)) || (bearer !== undefined && sameSecret(bearer, token))) {
      request.credentialIsProxyToken = true;
      return null;
    }
    return new ApiError('authentication_error', 'claude-api-proxy: a valid proxy token is required (x-claude-proxy-token, x-api-key or Bearer)');
  }

  return function guard(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const error = refusal(request);
    if (error) done(error);
    else done();
  };
}
