import { VERSION } from '../version.js';

const card = (name: string, label: string, extra = '') =>
  `<div class="card ${extra}"><div class="label">${label}</div><div class="value" data-stat="${name}">–</div><div class="hint" data-hint="${name}"></div></div>`;

/** The dashboard page (GET /dashboard). Everything it loads comes from this server. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>claude-api-proxy · dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/uPlot.min.css">
<link rel="stylesheet" href="/dashboard/assets/app.css">
</head>
<body>
<header>
  <h1>claude-api-proxy</h1>
  <span class="sub">routing and savings · v${VERSION}</span>
  <div class="right">
    <span>local backend <span class="pill" id="backend">…</span></span>
    <span id="updated">loading…</span>
  </div>
</header>
<div class="banner" id="error" role="alert"></div>
<section class="cards">
  ${card('requests', 'Requests')}
  ${card('local_percent', 'Served locally', 'local')}
  ${card('tokens_saved', 'Tokens saved', 'local')}
  ${card('cost_saved_usd', 'Dollars saved', 'local')}
  ${card('fallbacks', 'Fallbacks')}
</section>
<section class="grid2">
  <div class="panel"><h2>Requests over time: local vs remote</h2><div class="chart" id="chart-routes"></div></div>
  <div class="panel"><h2>Dollars over time: saved locally vs spent remotely (cumulative)</h2><div class="chart" id="chart-savings"></div></div>
</section>
<section class="grid2">
  <div class="panel">
    <h2>Latency per route</h2>
    <table id="latency"><thead><tr><th>route</th><th class="num">requests</th><th class="num">latency p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">first byte p50</th><th class="num">p90</th><th class="num">p99</th></tr></thead><tbody></tbody></table>
    <p class="note">Milliseconds, from request to the end of the answer and to its first byte.</p>
    <h2>Fallbacks by reason</h2>
    <table id="fallbacks"><thead><tr><th>local failure</th><th class="num">requests</th><th class="num">of those sent local</th></tr></thead><tbody></tbody></table>
  </div>
  <div class="panel">
    <h2>Why requests went where they went</h2>
    <table id="reasons"><thead><tr><th>reason</th><th class="num">requests</th><th class="num">share</th></tr></thead><tbody></tbody></table>
    <p class="note" id="estimate"></p>
  </div>
</section>
<section class="panel">
  <h2>Most recent decisions</h2>
  <table id="recent"><thead><tr><th>time</th><th>route</th><th>reason</th><th>model</th><th class="num">status</th><th class="num">tokens in / out</th><th class="num">latency ms</th><th class="num">first byte ms</th><th class="num">saved</th></tr></thead><tbody></tbody></table>
</section>
<footer id="footer"></footer>
<script src="/dashboard/assets/uPlot.iife.min.js"></script>
<script src="/dashboard/assets/app.js"></script>
</body>
</html>
`;
