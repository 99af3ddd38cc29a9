import type { ProxyMetadata, TelemetryEvent } from './event.js';

/** How long the strings of an event may be (`telemetry.maxStringChars`, `telemetry.maxQueryTextChars`). */
export interface StringLimits {
  maxStringChars: number;
  maxQueryTextChars: number;
}

/** Marks a string cut to its limit, so a reader never takes it for the whole value. */
export const TRUNCATED_MARK = '…[truncated]';

export function boundedText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}${TRUNCATED_MARK}`;
}

// The fields a client or an upstream chooses; the proxy's own fields are short by construction.
const FOREIGN_TEXT = ['model', 'model_served', 'path', 'stop_reason', 'error_type', 'request_id', 'session_id'] as const;

const tooLong = (value: unknown, max: number): boolean => typeof value === 'string' && value.length > max;

/**
 * The event with every client- or upstream-chosen string cut to its limit: a 20 MB model name must
 * not live on in the recent-decisions ring, the metrics or the daily file. The same object when
 * nothing is too long (the usual case costs a few length checks).
 */
export function boundedEvent(event: TelemetryEvent, limits: StringLimits): TelemetryEvent {
  const m = event.metadata;
  const max = limits.maxStringChars;
  const fallbackTooLong = tooLong(m.fallback?.reason, max);
  const queryTooLong = tooLong(m.query_text, limits.maxQueryTextChars);
  if (!fallbackTooLong && !queryTooLong && !FOREIGN_TEXT.some((key) => tooLong(m[key], max))) return event;
  const metadata: ProxyMetadata = { ...m };
  for (const key of FOREIGN_TEXT) {
    const value = m[key];
    if (typeof value === 'string') metadata[key] = boundedText(value, max);
  }
  if (fallbackTooLong && m.fallback) metadata.fallback = { ...m.fallback, reason: boundedText(m.fallback.reason, max) };
  if (queryTooLong && m.query_text !== undefined) metadata.query_text = boundedText(m.query_text, limits.maxQueryTextChars);
  return { ...event, metadata };
}
