import { createWriteStream, type Stats, type WriteStream } from 'node:fs';
import { chmod, mkdir, open as openForRead, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Logger } from 'pino';
import type { TelemetryEvent } from './event.js';
import { localDate, toJsonLine } from './json-line.js';
import { errorCode } from '../shared/errors.js';

/** Where telemetry events go. Writing never throws and never waits for the disk. */
export interface TelemetrySink {
  write(event: TelemetryEvent): void;
  /** Waits until everything written so far is on disk (or has failed). */
  flush(): Promise<void>;
  readonly counters: { written: number; failed: number };
}

const fileOfDay = (day: string): string => `events-${day}.jsonl`;
export const eventFileName = (date: Date): string => fileOfDay(localDate(date));

export interface TelemetryWriterOptions {
  now?: () => Date;
  /** After a failed write, events are counted as lost for this long before the file is tried again. */
  retryMs?: number;
  /** How long events wait to be appended together (`telemetry.flushIntervalMs`); 0: as soon as the previous write is done. */
  flushIntervalMs?: number;
  /** Opens a daily file for appending (tests inject failing file systems). */
  openFile?: (path: string) => WriteStream;
}

/**
 * Lines of one local day, appended in one write. Each line is kept as its UTF-8 bytes: a string
 * built piece by piece is a tree of small heap objects, and lines that wait for the disk outlive
 * the young generation, whose collections then copy every piece (measured under load: the remote
 * route's scavenges took twice as long).
 */
interface Batch {
  day: string;
  lines: Buffer[];
  bytes: number;
}

/** A batch this large is written without waiting for the interval. */
const MAX_BATCH_BYTES = 16 * 1024;
const NEWLINE = Buffer.from('\n');

/** The first millisecond of the next local day: events from then on belong to another file. */
function nextLocalMidnight(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1).getTime();
}

/**
 * Appends events to the seed's daily JSONL files (0600 in a 0700 directory). Events are encoded at
 * once and collected for `flushIntervalMs`, then appended in one write: under load that is one write
 * for many requests instead of one each, which costs far more than the encoding (measured in
 * bench/RESULTS.md). A failing disk is reported once, counted, and retried on a later event;
 * requests never see it.
 */
export class JsonlTelemetryWriter implements TelemetrySink {
  readonly counters = { written: 0, failed: 0 };
  private readonly now: () => Date;
  private readonly retryMs: number;
  private readonly flushIntervalMs: number;
  private readonly openFile: (path: string) => WriteStream;
  private stream: WriteStream | null = null;
  private streamDay = '';
  /** The file the stream writes to, as it was when opened: a removed or replaced file is reopened. */
  private streamFile: { path: string; dev: number; ino: number } | null = null;
  /** The file ended inside a line (a write torn by a full disk): the next write starts a new one. */
  private tornLine = false;
  /** When the open file was last found at its path (performance.now()). */
  private checkedAt = 0;
  private open: Batch | null = null;
  private openUntil = 0;
  private readonly sealed: Batch[] = [];
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private reportedFailure = false;
  private retryAfter = 0;
  private pending = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    options: TelemetryWriterOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.retryMs = options.retryMs ?? 30_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.openFile = options.openFile ?? ((path) => createWriteStream(path, { flags: 'a', mode: 0o600 }));
  }

  write(event: TelemetryEvent): void {
    const date = this.now();
    const time = date.getTime();
    if (time < this.retryAfter) {
      this.counters.failed++;
      return;
    }
    if (this.open === null || time >= this.openUntil) {
      this.seal();
      this.open = { day: localDate(date), lines: [], bytes: 0 };
      this.openUntil = nextLocalMidnight(date);
    }
    const line = Buffer.from(toJsonLine(event), 'utf8');
    this.open.lines.push(line);
    this.open.bytes += line.length;
    this.pending++;
    if (this.flushIntervalMs === 0 || this.open.bytes >= MAX_BATCH_BYTES) this.drain();
    else if (this.timer === null) {
      // Not unref'd: a batch keeps the process alive until it is written (an event recorded while
      // shutting down, after the last flush, is still saved).
      this.timer = setTimeout(() => {
        this.timer = null;
        this.drain();
      }, this.flushIntervalMs);
    }
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending === 0) return;
    this.drain();
    await new Promise<void>((resolve) => this.idle.push(resolve));
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

  private seal(): void {
    if (this.open) this.sealed.push(this.open);
    this.open = null;
  }

  /** Hands everything collected to the file; one write at a time, in order. */
  private drain(): void {
    this.seal();
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
      // Sealed while the last write was finishing: the loop had already ended.
      if (this.sealed.length > 0) this.drain();
    });
  }

  private async pump(): Promise<void> {
    for (let batch = this.sealed.shift(); batch; batch = this.sealed.shift()) {
      const count = batch.lines.length;
      try {
        const stream = await this.streamFor(batch.day);
        const text = Buffer.concat(this.tornLine ? [NEWLINE, ...batch.lines] : batch.lines);
        // Counted as written only once the file took the bytes: a full disk fails in the callback.
        await new Promise<void>((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
        this.tornLine = false;
        this.counters.written += count;
      } catch (error) {
        this.fail(error, count);
      }
      this.settle(count);
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
      const code = errorCode(error) ?? String(error);
      this.log.warn({ dir: this.dir, code }, 'telemetry cannot be written; requests continue, events are counted as lost');
    }
  }

  /** Whether the open file is still the one at its path (not removed, renamed or replaced meanwhile). */
  private async stillAtPath(): Promise<boolean> {
    const file = this.streamFile;
    if (file === null) return false;
    const now = await stat(file.path).catch(() => null);
    this.checkedAt = performance.now();
    return now !== null && now.dev === file.dev && now.ino === file.ino;
  }

  private async streamFor(day: string): Promise<WriteStream> {
    // Events written into a deleted file would be counted but lost: the path is checked once per
    // flush interval at most (under load a batch fills every few milliseconds), the window a crash loses too.
    if (this.stream && this.streamDay === day && (performance.now() - this.checkedAt < this.flushIntervalMs || (await this.stillAtPath()))) return this.stream;
    this.stream?.end();
    this.stream = null;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // A directory made earlier (by the predecessor or by hand) may be wider; narrowing it is best effort.
    await chmod(this.dir, 0o700).catch(() => undefined);
    const path = join(this.dir, fileOfDay(day));
    const stream = this.openFile(path);
    await Promise.race([
      once(stream, 'open'),
      once(stream, 'error').then(([error]) => Promise.reject(error)),
    ]);
    // A file created earlier by another tool may have wider permissions; events are private.
    await chmod(path, 0o600);
    const opened = await stat(path);
    this.tornLine = await endsInsideLine(path, opened);
    stream.on('error', (error) => this.fail(error, 0));
    this.streamFile = { path, dev: opened.dev, ino: opened.ino };
    this.checkedAt = performance.now();
    this.stream = stream;
    this.streamDay = day;
    return stream;
  }
}

/** Whether a non-empty file's last byte is not a newline. */
async function endsInsideLine(path: string, stats: Stats): Promise<boolean> {
  if (stats.size === 0) return false;
  const handle = await openForRead(path, 'r');
  try {
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, stats.size - 1);
    return buffer[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

/** A sink that drops events (telemetry.enabled: false). */
export const nullTelemetry: TelemetrySink = {
  write: () => undefined,
  flush: async () => undefined,
  counters: { written: 0, failed: 0 },
};
