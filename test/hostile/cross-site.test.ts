import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { useGateway } from '../helpers/gateway.js';
import { nullTelemetry, type TelemetrySink } from '../../src/telemetry/writer.js';
import { expectEnvelope } from './wire.js';

const flushes = { count: 0 };
const countingSink: TelemetrySink = {
  write: () => undefined,
  flush: async () => {
    flushes.count++;
    await new Promise((r) => setTimeout(r, 20));
  },
  counters: nullTelemetry.counters,
};

const gateway = useGateway({ settings: { local: { enabled: false } }, secrets: { remoteApiKey: 'sk-ant-configured' }, ctx: { telemetry: countingSink } });

describe('browser requests from another site without an Origin (<img>, <script>)', () => {
  it.each(['cross-site', 'same-site'])('sec-fetch-site: %s is refused on /stats and /v1/models, and nothing is forwarded', async (site) => {
    const before = gateway.upstream.received.length;
    for (const path of ['/stats?since=30d&by=model', '/v1/models', '/v1/files']) {
      const res = await request(`${gateway.proxy.url}${path}`, { headers: { 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors' } });
      expect(expectEnvelope(res.statusCode, await res.body.text(), 403).type).toBe('permission_error');
    }
    expect(gateway.upstream.received.length).toBe(before);
  });

  it('same-origin (the dashboard) and none (typed in the address bar) are served', async () => {
    for (const site of ['same-origin', 'none']) {
      const res = await request(`${gateway.proxy.url}/stats`, { headers: { 'sec-fetch-site': site } });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
  });
});

describe('/stats parameters', () => {
  it.each(['since=1d&since=2d', 'by=model&by=day', 'since=99999999999d', 'until=99999999999w'])('?%s is a 400 in the envelope', async (query) => {
    const res = await request(`${gateway.proxy.url}/stats?${query}`);
    expect(expectEnvelope(res.statusCode, await res.body.text(), 400).type).toBe('invalid_request_error');
  });

  it('concurrent requests for the same filter share one computation', async () => {
    const before = flushes.count;
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const res = await request(`${gateway.proxy.url}/stats?since=30d&by=model`);
        await res.body.dump();
        return res.statusCode;
      }),
    );
    expect(answers).toEqual(Array(8).fill(200));
    expect(flushes.count - before).toBe(1);
  });
});
