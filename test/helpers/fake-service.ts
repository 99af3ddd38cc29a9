import type { ServerResponse } from 'node:http';
import { FakeUpstream, type Received } from './fake-anthropic.js';

/** What every fake backend shares: a loopback server that records requests and answers via `handle`. */
export abstract class FakeService {
  readonly upstream = new FakeUpstream((req, res) => this.handle(req, res));

  protected abstract handle(req: Received, res: ServerResponse): void | Promise<void>;

  get url(): string {
    return this.upstream.url;
  }

  get received(): Received[] {
    return this.upstream.received;
  }

  /** The API calls it received (POSTs), without the proxy's health probes (GETs). */
  get calls(): Received[] {
    return this.upstream.received.filter((r) => r.method === 'POST');
  }

  async start(): Promise<this> {
    await this.upstream.start();
    return this;
  }

  stop(): Promise<void> {
    return this.upstream.stop();
  }
}
