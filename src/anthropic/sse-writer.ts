import type { ServerResponse } from 'node:http';
import type { StreamEvent } from './types.js';

/** The wire form of one Anthropic stream event. */
export function formatSseEvent(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

/** Writes Anthropic stream events to a response, honouring back-pressure. */
export class SseWriter {
  constructor(private readonly res: ServerResponse) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  async write(event: StreamEvent): Promise<void> {
    if (this.closed) return;
    if (!this.res.write(formatSseEvent(event))) await this.drained();
  }

  /** Resolves on drain, close or error, and leaves no listener behind whichever comes first. */
  private drained(): Promise<void> {
    const res = this.res;
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        res.off('error', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
      res.on('error', done);
    });
  }

  end(): void {
    if (!this.closed) this.res.end();
  }
}
