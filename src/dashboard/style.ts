/** The dashboard's stylesheet (served as /dashboard/assets/app.css). */
export const DASHBOARD_CSS = `
:root {
  --bg: #f4f5f7; --panel: #fff; --text: #1d2330; --muted: #667085; --line: #e3e6ea;
  --local: #1f9d6b; --remote: #5b5bd6; --spent: #d9822b; --bad: #c93b3b;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 28px 40px; }
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; margin-bottom: 18px; }
header h1 { font-size: 20px; margin: 0; font-weight: 650; }
header .sub { color: var(--muted); font-size: 13px; }
header .right { margin-left: auto; display: flex; gap: 12px; align-items: center; font-size: 13px; color: var(--muted); }
.pill { display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; background: var(--line); color: var(--text); white-space: nowrap; }
.pill.local, .pill.ok { background: #daf3e8; color: #0f6b47; }
.pill.remote { background: #e6e6fb; color: #3c3ca8; }
.pill.bad { background: #fbe2e2; color: #9b2424; }
.pill.warn { background: #fcefd9; color: #8a5300; }
.health { white-space: nowrap; }
.ranges { display: flex; gap: 4px; }
button { font: inherit; font-size: 13px; padding: 4px 11px; border: 1px solid var(--line); border-radius: 7px; background: var(--panel); color: var(--text); cursor: pointer; }
button[aria-pressed="true"] { background: var(--text); color: #fff; border-color: var(--text); }
.summary { margin-bottom: 18px; }
.summary .headline { font-size: 22px; font-weight: 650; margin: 2px 0 10px; }
.share { height: 10px; border-radius: 5px; background: var(--remote); overflow: hidden; margin-bottom: 14px; }
.share-local { height: 100%; width: 0; background: var(--local); }
.share.none { background: var(--line); }
td.key { white-space: nowrap; }
.why, .advice { margin: 0; padding-left: 0; list-style: none; font-size: 13.5px; }
.why li, .advice li { padding: 4px 0; border-bottom: 1px solid var(--line); }
.why li:last-child, .advice li:last-child { border-bottom: 0; }
.why .count { display: inline-block; min-width: 3.5em; font-weight: 650; font-variant-numeric: tabular-nums; }
.why .reason { margin-right: 8px; }
.advice li::before { content: "→ "; color: var(--local); font-weight: 650; }
.grid2.tight { margin-bottom: 0; }
.tabs { display: flex; gap: 6px; align-items: baseline; margin-bottom: 10px; }
.tabs h2 { margin: 0 4px 0 0; }
td.desc { color: var(--muted); font-size: 12.5px; }
tr.open { cursor: pointer; }
tr.open:hover td, tr.open:focus td { background: #f0f2f5; }
dialog { border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; max-width: 640px; width: 90vw; color: var(--text); }
dialog::backdrop { background: rgba(20, 24, 33, .35); }
dialog h2 { font-size: 16px; margin: 0 0 12px; }
.feedback { font-size: 13px; margin: 0 0 6px; }
.feedback-result { font-size: 13px; margin: 0 0 14px; min-height: 1.2em; }
.feedback-result[data-state="error"] { color: var(--bad); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 5px 16px; font-size: 13px; margin: 0 0 14px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
.banner { display: none; margin-bottom: 14px; padding: 10px 14px; border-radius: 8px; background: #fbe2e2; color: #9b2424; font-size: 14px; }
.banner.show { display: block; }
.cards { display: grid; grid-template-columns: repeat(5, minmax(150px, 1fr)); gap: 14px; margin-bottom: 18px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.card .value { font-size: 28px; font-weight: 650; margin: 6px 0 2px; font-variant-numeric: tabular-nums; }
.card .hint { font-size: 12.5px; color: var(--muted); min-height: 1.3em; }
.card.local .value { color: var(--local); }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; margin-bottom: 18px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; min-width: 0; }
.panel h2 { font-size: 14px; margin: 0 0 10px; font-weight: 620; }
.note { font-size: 12.5px; color: var(--muted); }
.note:empty { display: none; }
.chart { min-height: 240px; position: relative; }
.empty { color: var(--muted); font-size: 14px; padding: 90px 0; text-align: center; }
table { width: 100%; border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
td.num, th.num { text-align: right; }
tr:last-child td { border-bottom: 0; }
.reason { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.muted { color: var(--muted); }
footer { margin-top: 18px; font-size: 12.5px; color: var(--muted); line-height: 1.6; }
@media (max-width: 1100px) { .cards { grid-template-columns: repeat(3, 1fr); } .grid2 { grid-template-columns: 1fr; } }
`;
