import { isCount } from '../shared/json.js';

// Per-model-family correction of the character-based estimate, learnt from the input token counts
// the backends report. A factor is the running (exponentially weighted) geometric mean of
// actual / estimated: the first samples are averaged plainly so that it converges fast, later ones
// weigh ALPHA so that it follows a changed tokenizer without jumping on one odd request.

/** Weight of a new sample once enough have been seen. */
const ALPHA = 0.05;
/** Ratios outside this band are not a tokenizer difference but something else (prompt caching, truncation, a proxy-counted usage): ignored. */
export const MIN_RATIO = 0.4;
export const MAX_RATIO = 2.5;

export interface FamilyCalibration {
  /** Multiply a raw estimate by this to get the family's tokens. */
  factor: number;
  /** Samples learnt from. */
  samples: number;
  /** Mean absolute relative error of the calibrated estimate, measured before each sample was learnt (0.05 = 5 %). */
  meanAbsError: number | null;
  /** Relative error of the last sample (+ means the estimate was too high). */
  lastError: number | null;
}

export interface CalibrationReport {
  families: Record<string, FamilyCalibration>;
  /** Samples ignored because their ratio was outside the plausible band. */
  rejected: number;
}

/** The file format in the state directory. */
export interface CalibrationFile {
  version: 1;
  families: Record<string, FamilyCalibration>;
}

const MAX_FAMILIES = 64;

/** The calibration family of a requested model: Claude tiers share a tokenizer; everything else is `other`. */
export function modelFamily(model: string): string {
  const m = model.toLowerCase();
  for (const tier of ['opus', 'sonnet', 'haiku']) if (m.includes(tier)) return `claude-${tier}`;
  return m.startsWith('claude') ? 'claude' : 'other';
}

/** The family of whatever the local backend serves: its tokenizer is not Claude's. */
export const LOCAL_FAMILY = 'local';

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

export class Calibration {
  private readonly families = new Map<string, FamilyCalibration>();
  private rejected = 0;

  constructor(private readonly onChange: () => void = () => undefined) {}

  factor(family: string): number {
    return this.families.get(family)?.factor ?? 1;
  }

  /** Learns one (raw estimate, actual) pair; returns whether it was plausible enough to learn from. */
  observe(family: string, rawEstimate: number, actual: number): boolean {
    if (!(rawEstimate > 0) || !(actual > 0)) return false;
    const ratio = actual / rawEstimate;
    if (ratio < MIN_RATIO || ratio > MAX_RATIO) {
      this.rejected++;
      return false;
    }
    let state = this.families.get(family);
    if (!state) {
      if (this.families.size >= MAX_FAMILIES) return false;
      state = { factor: 1, samples: 0, meanAbsError: null, lastError: null };
      this.families.set(family, state);
    }
    const error = (rawEstimate * state.factor - actual) / actual;
    const weight = Math.max(ALPHA, 1 / (state.samples + 1));
    const logFactor = Math.log(state.factor);
    state.factor = clamp(Math.exp(logFactor + weight * (Math.log(ratio) - logFactor)), MIN_RATIO, MAX_RATIO);
    state.meanAbsError = state.meanAbsError === null ? Math.abs(error) : state.meanAbsError + weight * (Math.abs(error) - state.meanAbsError);
    state.lastError = error;
    state.samples++;
    this.onChange();
    return true;
  }

  report(): CalibrationReport {
    return { families: Object.fromEntries([...this.families].map(([name, state]) => [name, { ...state }])), rejected: this.rejected };
  }

  toFile(): CalibrationFile {
    return { version: 1, families: this.report().families };
  }

  /** Takes persisted state for families not yet learnt in this process; ignores anything malformed. */
  restore(file: unknown): void {
    if (typeof file !== 'object' || file === null) return;
    const { version, families } = file as Partial<CalibrationFile>;
    if (version !== 1 || typeof families !== 'object' || families === null) return;
    for (const [name, raw] of Object.entries(families)) {
      if (this.families.has(name) || this.families.size >= MAX_FAMILIES) continue;
      if (typeof raw !== 'object' || raw === null) continue;
      const state = raw as Partial<FamilyCalibration>;
      if (!isCount(state.factor) || !isCount(state.samples)) continue;
      this.families.set(name, {
        factor: clamp(state.factor, MIN_RATIO, MAX_RATIO),
        samples: Math.floor(state.samples),
        meanAbsError: isCount(state.meanAbsError) ? state.meanAbsError : null,
        lastError: typeof state.lastError === 'number' && Number.isFinite(state.lastError) ? state.lastError : null,
      });
    }
  }
}
