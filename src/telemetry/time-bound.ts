import { startOfLocalDay } from './event-files.js';
import { localDate } from './json-line.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A --since/--until value the user gave that means nothing. */
export class TimeBoundError extends Error {
  override readonly name = 'TimeBoundError';
}

/**
 * `7d`, `12h`, `30m`, `2w` (that long before now), a local date `2026-11-20` (`until` includes the
 * whole day), or an ISO date-time (local time unless it carries an offset).
 */
export function parseTimeBound(text: string, now: Date, bound: 'since' | 'until'): Date {
  const value = text.trim();
  const relative = /^(\d+)([mhdw])$/.exec(value);
  if (relative) {
    const date = new Date(now.getTime() - Number(relative[1]) * (UNIT_MS[relative[2] ?? 'd'] ?? 0));
    if (Number.isNaN(date.getTime())) throw new TimeBoundError(`--${bound} ${JSON.stringify(text)} reaches before the first representable date`);
    return date;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = startOfLocalDay(value);
    if (localDate(start) !== value) throw new TimeBoundError(`--${bound} ${JSON.stringify(text)} is not a date`);
    return bound === 'since' ? start : new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1);
  }
  const parsed = /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(parsed.getTime())) {
    throw new TimeBoundError(`--${bound} ${JSON.stringify(text)}: expected 7d, 12h, 30m, 2w, a date (2026-11-20) or a date-time (2026-11-20T14:00)`);
  }
  return parsed;
}
