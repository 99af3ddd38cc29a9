import type { Totals } from '../telemetry/stats.js';

const dollars = (usd: number): string => (usd >= 100 ? `$${usd.toFixed(0)}` : `$${usd.toFixed(2)}`);

/** "12 requests, 9 local (75 %), $0.42 saved": the day in one phrase. */
export function todayPhrase(totals: Totals): string {
  if (totals.requests === 0) return 'no requests yet today';
  const share = totals.local_percent === null ? '' : ` (${Math.round(totals.local_percent)} %)`;
  return `${totals.requests} requests, ${totals.served_local} local${share}, ${dollars(totals.cost_saved_usd)} saved (${totals.tokens_saved.toLocaleString('en-US')} tokens)`;
}

/** The status line: short enough for Claude Code's footer. */
export function statusPhrase(totals: Totals): string {
  const share = totals.local_percent === null ? '–' : `${Math.round(totals.local_percent)}%`;
  return `local ${share} · ${dollars(totals.cost_saved_usd)} saved today`;
}
