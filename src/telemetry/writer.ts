import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Logger } from 'pino';
import type { TelemetryEvent } from './event.js';
import { localDate, toJsonLine } from './json-line.js';

/** Where telemetry events go. Writing never throws and never waits for the disk. */
export interface TelemetrySink {
  write(event: TelemetryEvent): void;
  /** Waits until everything written so far is on disk (or has failed). */
  flush(): Promise<void>;
  readonly counters: { written: number; failed: number };
}

export const eventFileName = (date: Date): string => `events-${localDate(date)}.jsonl`;

/**
 * Appends events to the seed's daily JSONL files (0600 in a 0700 directory). A failing disk is
 * reported once, counted, and retried on a later event; requests never see it.
 */
export class JsonlTelemetryWriter implements TelemetrySink {
  readonly counters = { written: 0, failed: 0 };
  private stream: WriteStream | null = null;
  private streamDate = '';
  private opening: Promise<void> | null = null;
  private queue: string[] = [];
  private reportedFailure = false;
  private retryAfter = 0;
  private pending = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    private readonly retryMs = 30_000,
    private readonly openFile: (path: string) => WriteStream = (path) => createWriteStream(path, { flags: 'a', mode: 0o600 }),
  ) {}

  write(event: TelemetryEvent): void {
    const date = this.now();
    if (date.getTime() < this.retryAfter) {
      this.counters.failed++;
      return;
    }
    this.queue.push(toJsonLine(event));
    this.pending++;
    if (!this.opening) this.opening = this.pump(date).finally(() => (this.opening = null));
  }

  async flush(): Promise<void> {
    if (this.pending > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    const stream = this.stream;
    this.stream = null;
    if (stream) {
      stream.end();
      await once(stream, 'close').catch(() => undefined);
    }
  }

  private async pump(date: Date): Promise<void> {
    while (this.queue.length > 0) {
      const lines = this.queue;
      this.queue = [];
      try {
        const stream = await this.streamFor(date);
        // Counted as written only once the file took the bytes: a full disk fails in the callback.
        await new Promise<void>((resolve, reject) => stream.write(lines.join(''), (error) => (error ? reject(error) : resolve())));
        this.counters.written += lines.length;
      } catch (error) {
        this.fail(error, lines.length);
      }
      this.settle(lines.length);
    }
  }

  private settle(count: number): void {
    this.pending -= count;
    if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private fail(error: unknown, count: number): void {
    this.counters.failed += count;
    this.stream?.destroy();
    this.stream = null;
    this.retryAfter = this.now().getTime() + this.retryMs;
    if (!this.reportedFailure) {
      this.reportedFailure = true;
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      this.log.warn({ dir: this.dir, code }, 'telemetry cannot be written; requests continue, events are counted as lost');
    }
  }

  private async streamFor(date: Date): Promise<WriteStream> {
    const day = localDate(date);
    if (this.stream && this.streamDate === day) return this.stream;
    this.stream?.end();
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // A directory made earlier (by the predecessor or by hand) may be wider; narrowing it is best effort.
    await chmod(this.dir, 0o700).catch(() => undefined);
    const path = join(this.dir, eventFileName(date));
    const stream = this.openFile(path);
    await Promise.race([
      once(stream, 'open'),
      once(stream, 'error').then(([error]) => Promise.reject(error as Error)),
    ]);
    // A file created earlier by another tool may have wider permissions; events are private.
    await chmod(path, 0o600);
    stream.on('error', (error) => this.fail(error, 0));
    this.stream = stream;
    this.streamDate = day;
    return stream;
  }
}

/** A sink that drops events (telemetry.enabled: false). */
export const nullTelemetry: TelemetrySink = {
  write: () => undefined,
  flush: async () => undefined,
  counters: { written: 0, failed: 0 },
};
