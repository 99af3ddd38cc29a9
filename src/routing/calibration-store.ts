import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Calibration } from './calibration.js';
import { readStateFile, reportOnce, type StateFileReport } from './state-file.js';

export const CALIBRATION_FILE = 'calibration.json';
/** Changes are written at most this often; a crash loses at most this much learning. */
const SAVE_DELAY_MS = 5_000;

export interface CalibrationStoreOptions {
  saveDelayMs?: number;
  /** Told once about the first read or write failure (the proxy keeps serving without persistence). */
  onError?: StateFileReport;
}

/** The calibration kept in `<state dir>/calibration.json`: read at start, written asynchronously after changes. */
export class CalibrationStore {
  readonly calibration: Calibration;
  private readonly file: string;
  private readonly saveDelayMs: number;
  private readonly report: StateFileReport;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(stateDir: string, options: CalibrationStoreOptions = {}) {
    this.file = join(stateDir, CALIBRATION_FILE);
    this.saveDelayMs = options.saveDelayMs ?? SAVE_DELAY_MS;
    this.report = reportOnce(options.onError ?? (() => undefined));
    this.calibration = new Calibration(() => this.scheduleSave());
  }

  /** Reads the saved state, if any (a missing or unreadable file means starting from scratch). */
  async load(): Promise<void> {
    const text = await readStateFile(this.file, this.report);
    if (text === null) return;
    try {
      this.calibration.restore(JSON.parse(text));
    } catch (error) {
      this.report(`ignoring malformed ${this.file}`, error);
    }
  }

  /** For the server: makes sure the state directory exists (private to the user), then loads. */
  async open(): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    } catch (error) {
      this.report(`cannot create ${dirname(this.file)}`, error);
    }
    await this.load();
  }

  /** Writes pending changes now. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.writing = this.writing.then(() => this.write());
    }
    await this.writing;
  }

  private scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writing = this.writing.then(() => this.write());
    }, this.saveDelayMs);
    this.timer.unref();
  }

  // The directory is created only by open(): a directory removed while running is not re-created.
  private async write(): Promise<void> {
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(this.calibration.toFile())}\n`, { mode: 0o600 });
      await rename(temporary, this.file);
    } catch (error) {
      this.report(`cannot write ${this.file}`, error);
    }
  }
}
