import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SSE_HEADERS, SseWriter } from '../../src/anthropic/sse-writer.js';

const EVENTS = 40;
const BIG = 'x'.repeat(256 * 1024);

/** A client that reads in small sips, so most writes wait for a drain. */
function slowRead(res: IncomingMessage): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      res.pause();
      setTimeout(() => res.resume(), 1);
    });
    res.on('end', () => resolve(bytes));
    res.on('error', reject);
  });
}

interface Report {
  drains: number;
  close: number;
  error: number;
  closeBefore: number;
  errorBefore: number;
}

describe('SseWriter', () => {
  it('leaves no close or error listener behind after many waits for a slow client', async () => {
    const seen: { report?: Report } = {};
    const server = createServer((_req, res: ServerResponse) => {
      void (async () => {
        res.writeHead(200, SSE_HEADERS);
        const writer = new SseWriter(res);
        let drains = 0;
        res.on('drain', () => (drains += 1));
        const closeBefore = res.listenerCount('close');
        const errorBefore = res.listenerCount('error');
        for (let i = 0; i < EVENTS; i++) {
          await writer.write({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: BIG } });
        }
        seen.report = { drains, close: res.listenerCount('close'), error: res.listenerCount('error'), closeBefore, errorBefore };
        writer.end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const bytes = await new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/' }, (res) => slowRead(res).then(resolve, reject))
          .on('error', reject)
          .end();
      });
      expect(bytes).toBeGreaterThan(EVENTS * BIG.length);
      const report = seen.report;
      if (!report) throw new Error('the handler did not finish');
      expect(report.drains).toBeGreaterThan(EVENTS / 2);
      expect(report.close).toBe(report.closeBefore);
      expect(report.error).toBe(report.errorBefore);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
