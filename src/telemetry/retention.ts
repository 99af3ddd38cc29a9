import { rm } from 'node:fs/promises';
import type { BaseLogger } from 'pino';
import { DAY_MS, listEventFiles, startOfLocalDay } from './event-files.js';
import { errorCode } from '../shared/errors.js';

/** Removes the daily event files whose day ended more than `retentionDays` ago; returns their paths. */
export async function removeExpiredEventFiles(dir: string, retentionDays: number, now: Date): Promise<string[]> {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const oldestKept = new Date(today.getFullYear(), today.getMonth(), today.getDate() - retentionDays).getTime();
  const { files } = await listEventFiles(dir);
  const expired = files.filter((f) => startOfLocalDay(f.day).getTime() < oldestKept);
  await Promise.all(expired.map((f) => rm(f.path, { force: true })));
  return expired.map((f) => f.path);
}

/** Runs the removal once at start and then daily; the timer never keeps the process alive. */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    private readonly retentionDays: number,
    private readonly log: Pick<BaseLogger, 'info' | 'warn'>,
    private readonly now: () => Date = () => new Date(),
    private readonly intervalMs = DAY_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.sweep();
    this.timer = setInterval(() => this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private sweep(): void {
    if (this.running) return;
    this.running = removeExpiredEventFiles(this.dir, this.retentionDays, this.now())
      .then((removed) => {
        if (removed.length > 0) this.log.info({ dir: this.dir, removed: removed.length, retentionDays: this.retentionDays }, 'old telemetry files removed');
      })
      .catch((error: unknown) => {
        this.log.warn({ dir: this.dir, code: errorCode(error) ?? String(error) }, 'telemetry retention could not run');
      })
      .finally(() => {
        this.running = null;
      });
  }
}
