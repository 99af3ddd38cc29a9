import { describe, expect, it } from 'vitest';
import { sse, streams } from '../helpers/fake-anthropic.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/proxy.js';

const PAUSE_MS = 400;

// The first event goes out at once, the rest after a pause: the time to first byte must be the
// first event's, not the end of the answer.
const gateway = useGateway({
  handler: async (_req, res) => {
    const [first, ...rest] = streams.text();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    res.write(sse(first ? [first] : []));
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    res.end(sse(rest));
  },
});

describe('time to first byte on the remote route', () => {
  it('is recorded when the first bytes reach the client, not when the answer ends', async () => {
    const stream = gateway.client().messages.stream(
      { model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { 'x-claude-proxy-route': 'remote' } },
    );
    await stream.finalMessage();
    const event = await eventually(() => gateway.proxy.events[0]);
    const { ttfb_ms: ttfb, latency_ms: latency } = event.metadata;
    expect(event.metadata.routing_decision).toBe('remote');
    expect(ttfb).not.toBeNull();
    expect(ttfb ?? latency).toBeLessThan(latency - (PAUSE_MS - 100));

    const metrics = await (await fetch(`${gateway.proxy.url}/metrics`)).text();
    const sum = (family: string) => Number(new RegExp(`^claude_proxy_${family}_sum\\{route="remote"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
    const ttfbSeconds = sum('time_to_first_byte_seconds');
    expect(ttfbSeconds).toBeGreaterThan(0);
    expect(ttfbSeconds).toBeLessThan(sum('request_duration_seconds') - (PAUSE_MS - 100) / 1000);
  });
});
