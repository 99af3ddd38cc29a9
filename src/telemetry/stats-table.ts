import { textTable } from '../shared/text-table.js';
import { ROUTES } from '../shared/vocabulary.js';
import type { Distribution } from './samples.js';
import type { EstimateError, StatsReport } from './stats.js';

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (n: number | null): string => (n === null ? '–' : `${n.toFixed(1)}%`);
const dollars = (n: number): string => `$${n < 1 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
const ms = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : n >= 10_000 ? `${(n / 1000).toFixed(1)}s` : `${Math.round(n)}`);

function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Left-aligned first column, right-aligned numbers. */
const table = (header: string[], rows: string[][]): string[] => textTable([header, ...rows], 'numbers');

const triple = (d: Distribution | null): string => (d ? `${ms(d.p50)} / ${ms(d.p90)} / ${ms(d.p99)}` : '–');

function estimateLine(route: string, e: EstimateError | null): string | null {
  if (!e) return null;
  return `  ${route.padEnd(7)} mean |error| ${e.mean_abs_percent.toFixed(1)}%, median ${e.median_percent > 0 ? '+' : ''}${e.median_percent.toFixed(1)}%, p90 |error| ${e.p90_abs_percent.toFixed(1)}%  (${int(e.samples)} requests with real usage)`;
}

/** The report as a terminal table (what `stats` prints on a TTY). */
export function formatStatsTable(r: StatsReport): string {
  const t = r.totals;
  const out: string[] = [];
  const range = r.range.first_event_at ? `${r.range.first_event_at.slice(0, 16).replace('T', ' ')} → ${r.range.last_event_at?.slice(0, 16).replace('T', ' ')} UTC` : 'no events';
  out.push(`Telemetry  ${r.dir}  (${r.files.event_files} daily files, ${bytes(r.files.event_bytes)}; directory ${bytes(r.files.dir_bytes)})`);
  out.push(`Events     ${range}${r.range.since || r.range.until ? `  [filter ${r.range.since ?? '…'} → ${r.range.until ?? '…'}]` : ''}`);
  const skipped = [
    r.lines.corrupt ? `${int(r.lines.corrupt)} corrupt` : '',
    r.lines.legacy ? `${int(r.lines.legacy)} from the old proxy` : '',
    r.lines.foreign ? `${int(r.lines.foreign)} foreign` : '',
    r.files.unreadable ? `${r.files.unreadable} unreadable files` : '',
  ].filter(Boolean);
  if (skipped.length > 0) out.push(`Skipped    ${skipped.join(', ')} (not counted)`);
  out.push('');
  out.push(`Requests       ${int(t.requests)}   local ${int(t.served_local)} (${pct(t.local_percent)})   remote ${int(t.served_remote)}   failed ${int(t.failed)}`);
  out.push(`Fallbacks      ${int(t.fallbacks)} of ${int(t.decided_local)} sent local (${pct(t.fallback_percent)})${Object.keys(t.fallback_reasons).length ? `   ${Object.entries(t.fallback_reasons).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`);
  out.push(`Tokens saved   ${int(t.tokens_saved)}${t.tokens_saved_estimated ? ` (${int(t.tokens_saved_estimated)} counted by the proxy)` : ''}`);
  out.push(`Dollars saved  ${dollars(t.cost_saved_usd)}   remote spend ${dollars(t.cost_usd)}${t.unpriced ? `   (${int(t.unpriced)} requests without a price)` : ''}`);
  out.push(`Prompt cache   ${pct(t.cache_hit_percent)} of remote prompt tokens read from cache (${int(t.cached_requests)} requests)`);
  out.push('');
  out.push(
    ...table(
      ['route', 'requests', 'latency p50/p90/p99 ms', 'ttfb p50/p90/p99 ms'],
      ROUTES.map((route) => [route, int(r.routes[route].requests), triple(r.routes[route].latency_ms), triple(r.routes[route].ttfb_ms)]),
    ),
  );
  const estimates = [estimateLine('local', r.estimate_error.local), estimateLine('remote', r.estimate_error.remote)].filter((l): l is string => l !== null);
  if (estimates.length > 0) out.push('', 'Token estimate vs real prompt size', ...estimates);
  if (r.groups) {
    out.push('', `By ${r.groups.by}`);
    out.push(
      ...table(
        [r.groups.by, 'requests', 'local', 'remote', 'local %', 'fallbacks', 'tokens saved', 'saved', 'spent', 'p50 ms'],
        r.groups.rows.map((g) => [
          g.key,
          int(g.requests),
          int(g.local),
          int(g.remote),
          pct(g.local_percent),
          int(g.fallbacks),
          int(g.tokens_saved),
          dollars(g.cost_saved_usd),
          dollars(g.cost_usd),
          ms(g.latency_p50_ms),
        ]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
