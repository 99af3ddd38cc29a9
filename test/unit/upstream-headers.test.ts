import { describe, expect, it } from 'vitest';
import { upstreamHeaders } from '../../src/backends/remote.js';

describe('headers forwarded upstream', () => {
  const client = {
    host: '127.0.0.1:8094',
    connection: 'keep-alive',
    'content-length': '123',
    'content-type': 'application/json',
    'x-api-key': 'sk-client',
    'anthropic-version': '2023-06-01',
    'anthropic-beta': 'a,b',
    'x-claude-proxy-token': 'inbound',
    'x-claude-proxy-route': 'local',
    'accept-encoding': 'gzip, br',
  };

  it("keeps the client's own headers and credential; drops hop-by-hop and proxy-only ones", () => {
    expect(upstreamHeaders(client, null, false, false)).toEqual({
      'content-type': 'application/json',
      'x-api-key': 'sk-client',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'a,b',
      'accept-encoding': 'gzip, br',
    });
  });

  it('drops the headers the Connection header names, whatever their case', () => {
    const headers = { ...client, connection: 'Keep-Alive, X-Trace-Hop , upgrade', 'x-trace-hop': '1', 'x-kept': '2' };
    const out = upstreamHeaders(headers, null, false, false);
    expect(out['x-trace-hop']).toBeUndefined();
    expect(out['x-kept']).toBe('2');
  });

  it('asks for an identity body when the answer is read, and adds the configured key only without client credentials', () => {
    expect(upstreamHeaders(client, 'sk-proxy', false, true)).toMatchObject({ 'accept-encoding': 'identity', 'x-api-key': 'sk-client' });
    const { 'x-api-key': _, ...anonymous } = client;
    expect(upstreamHeaders(anonymous, 'sk-proxy', false, false)['x-api-key']).toBe('sk-proxy');
    expect(upstreamHeaders({ ...anonymous, authorization: 'Bearer oauth' }, 'sk-proxy', false, false)['x-api-key']).toBeUndefined();
  });

  it('replaces a credential that was the inbound proxy token with the configured key', () => {
    const out = upstreamHeaders({ ...client, 'x-api-key': 'inbound' }, 'sk-proxy', true, false);
    expect(out['x-api-key']).toBe('sk-proxy');
    expect(out.authorization).toBeUndefined();
  });
});
