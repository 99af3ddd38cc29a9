import { VERSION } from '../version.js';

const card = (name: string, label: string, extra = '') =>
  `<div class="card ${extra}"><div class="label">${label}</div><div class="value" data-stat="${name}">–</div><div class="hint" data-hint="${name}"></div></div>`;

const health = (name: string, label: string) => `<span class="health">${label} <span class="pill" data-health="${name}">unknown</span></span>`;

const rangeButton = (range: string, label: string) => `<button type="button" data-range="${range}" aria-pressed="false">${label}</button>`;

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
  <nav class="ranges" aria-label="period">${rangeButton('today', 'Today')}${rangeButton('1h', '1 h')}${rangeButton('24h', '24 h')}${rangeButton('7d', '7 days')}${rangeButton('30d', '30 days')}</nav>
  <div class="right">
    ${health('local', 'local backend')}
    ${health('aidb', 'AIDB')}
    ${health('remote', 'Anthropic')}
    <span id="updated">loading…</span>
  </div>
</header>
<div class="banner" id="error" role="alert"></div>
<section class="summary panel">
  <p class="headline" id="headline">Loading…</p>
  <div class="share" aria-hidden="true"><div class="share-local" id="share-local"></div></div>
  <div class="grid2 tight">
    <div><h2 id="why-title">Why requests went to Anthropic</h2><ul class="why" id="why"></ul></div>
    <div><h2>What to change</h2><ul class="advice" id="advice"></ul></div>
  </div>
</section>
<section class="cards">
  ${card('requests', 'Requests')}
  ${card('local_percent', 'Served locally', 'local')}
  ${card('tokens_saved', 'Tokens saved', 'local')}
  ${card('cost_saved_usd', 'Dollars saved', 'local')}
  ${card('fallbacks', 'Fallbacks')}
</section>
<p class="note" id="chart-note"></p>
<section class="grid2">
  <div class="panel"><h2>Requests: local vs remote</h2><div class="chart" id="chart-routes"></div></div>
  <div class="panel"><h2>Dollars: saved locally vs spent at Anthropic, adding up over the period</h2><div class="chart" id="chart-savings"></div></div>
</section>
<section class="grid2">
  <div class="panel">
    <div class="tabs"><h2>Per</h2><button type="button" data-view="model" aria-pressed="true">model</button><button type="button" data-view="session" aria-pressed="false">session</button></div>
    <table id="groups"><thead><tr><th id="group-key">model</th><th class="num">requests</th><th class="num">local %</th><th class="num">local</th><th class="num">remote</th><th class="num">fallbacks</th><th class="num">saved</th><th class="num">spent</th><th class="num" id="group-when">latency p50 ms</th></tr></thead><tbody></tbody></table>
  </div>
  <div class="panel">
    <h2>Why requests went where they went</h2>
    <table id="reasons"><thead><tr><th>reason</th><th>what it means</th><th class="num">requests</th><th class="num">share</th></tr></thead><tbody></tbody></table>
    <p class="note" id="estimate"></p>
  </div>
</section>
<section class="grid2">
  <div class="panel">
    <h2>Latency per route</h2>
    <table id="latency"><thead><tr><th>route</th><th class="num">requests</th><th class="num">latency p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">first byte p50</th><th class="num">p90</th><th class="num">p99</th></tr></thead><tbody></tbody></table>
    <p class="note">Milliseconds, from request to the end of the answer and to its first byte.</p>
  </div>
  <div class="panel">
    <h2>Fallbacks by reason</h2>
    <table id="fallbacks"><thead><tr><th>local failure</th><th class="num">requests</th><th class="num">of those sent local</th></tr></thead><tbody></tbody></table>
  </div>
</section>
<section class="panel">
  <h2>Most recent decisions <span class="muted">since the proxy started · click one for its details</span></h2>
  <table id="recent"><thead><tr><th>time</th><th>route</th><th>reason</th><th>model</th><th class="num">status</th><th class="num">tokens in / out</th><th class="num">latency ms</th><th class="num">first byte ms</th><th class="num">saved</th></tr></thead><tbody></tbody></table>
</section>
<dialog id="details" aria-labelledby="details-title">
  <h2 id="details-title">Request details</h2>
  <dl id="details-list"></dl>
  <p class="feedback">Wrong route? <button type="button" data-feedback="local">should have been local</button> <button type="button" data-feedback="remote">should have been remote</button></p>
  <p class="feedback-result" id="feedback-result" role="status"></p>
  <button type="button" id="details-close">Close</button>
</dialog>
<footer id="footer"></footer>
<script src="/dashboard/assets/locale-guard.js"></script>
<script src="/dashboard/assets/uPlot.iife.min.js"></script>
<script src="/dashboard/assets/app.js"></script>
</body>
</html>
`;
