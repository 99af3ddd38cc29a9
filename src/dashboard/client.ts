// The dashboard's script (served as /dashboard/assets/app.js), plain ES2020 for the browser.
// It reads /stats, /stats/live and /health/ready from the same server and builds every cell with
// textContent: model names, sessions and reasons come from requests and are never parsed as HTML.

import { REASONS } from '../routing/reasons.js';
import { FALLBACK_ADVICE, REMOTE_ADVICE } from './advice.js';

/** How often the page refreshes itself, at most. */
export const DASHBOARD_REFRESH_MS = 10_000;
/** /health/ready probes the backends (Anthropic included): the page asks at most this often. */
const HEALTH_REFRESH_MS = 30_000;
/** A filtered /stats re-reads the files: the page waits this many times as long as the last read took. */
const REFRESH_LOAD_FACTOR = 10;

export const DASHBOARD_JS = `'use strict';
(function () {
  var REFRESH_MS = ${DASHBOARD_REFRESH_MS};
  var LOAD_FACTOR = ${REFRESH_LOAD_FACTOR};
  var HEALTH_MS = ${HEALTH_REFRESH_MS};
  var REASONS = ${JSON.stringify(REASONS)};
  var ADVICE = ${JSON.stringify(REMOTE_ADVICE)};
  var FALLBACK_ADVICE = ${JSON.stringify(FALLBACK_ADVICE)};
  var COLORS = { local: '#1f9d6b', remote: '#5b5bd6', spent: '#d9822b' };
  var HOUR = 3600000;
  var RANGES = {
    today: { label: 'Today', bucket: 'hour' },
    '1h': { label: 'In the last hour', bucket: '5m' },
    '24h': { label: 'In the last 24 hours', bucket: 'hour' },
    '7d': { label: 'In the last 7 days', bucket: 'day' },
    '30d': { label: 'In the last 30 days', bucket: 'day' },
  };
  var BUCKET_MS = { '5m': 300000, hour: HOUR };
  var COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000];
  var CLOCK_INCRS = [300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200];
  var DAY_INCRS = [86400, 172800, 604800, 1209600];
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var DOLLAR_INCRS = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000];
  var state = { range: rangeFromHash(), view: 'model', health: null, shown: null, every: REFRESH_MS, healthAt: 0, details: null };
  var charts = {};
  // Per chart: the period's x range (read by the scale on every redraw) and the tick labels drawn.
  var shown = { 'chart-routes': { x: [], y: [] }, 'chart-savings': { x: [], y: [] } };
  var generation = 0;

  function rangeFromHash() {
    var m = /range=([^&]+)/.exec(location.hash);
    return m && RANGES[m[1]] ? m[1] : 'today';
  }
  function int(n) { return Math.round(n).toLocaleString('en-US'); }
  function pct(n) { return n === null || n === undefined ? '–' : n.toFixed(1) + '%'; }
  function usd(n) { return '$' + (n > 0 && n < 1 ? n.toFixed(4) : n.toFixed(2)); }
  function ms(n) { return n === null || n === undefined ? '–' : int(n); }
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function clock(iso) { var d = new Date(iso); return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds()); }
  function dateTime(iso) { var d = new Date(iso); return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + ' ' + clock(iso); }
  function localDate(d) { return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function row(cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (c) { tr.appendChild(c); });
    return tr;
  }
  function num(text) { return el('td', text, 'num'); }
  function nothing(text) {
    var td = el('td', text, 'muted');
    td.colSpan = 99;
    return row([td]);
  }
  function pillCell(route) {
    var td = el('td', null);
    td.appendChild(el('span', route, 'pill ' + route));
    return td;
  }
  function fill(tableId, rows) {
    var body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren.apply(body, rows);
  }
  function list(id, items) {
    var ul = document.getElementById(id);
    ul.replaceChildren.apply(ul, items);
  }
  function setCard(name, value, text, hint) {
    var v = document.querySelector('[data-stat="' + name + '"]');
    v.textContent = text;
    v.setAttribute('data-value', String(value));
    document.querySelector('[data-hint="' + name + '"]').textContent = hint;
  }
  function describe(code) {
    if (code.indexOf('fallback:') === 0) return 'decided local, but the local backend failed before answering (' + code.slice(9) + ')';
    return REASONS[code] || (code === 'passthrough' ? 'not a Messages request: passed through to Anthropic' : 'no description');
  }
  function getJson(url, acceptStatus) {
    return fetch(url, { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
      if (!r.ok && r.status !== acceptStatus) throw new Error(url + ' answered HTTP ' + r.status);
      return r.json();
    });
  }

  // The start of the selected period in the browser's clock; "today" is since local midnight.
  function rangeStart(range, now) {
    if (range === 'today') { var d = new Date(now); d.setHours(0, 0, 0, 0); return d.getTime(); }
    return now - { '1h': 1, '24h': 24, '7d': 168, '30d': 720 }[range] * HOUR;
  }
  function sinceParam(range) { return range === 'today' ? localDate(new Date()) : range; }
  function bucketStart(ms, bucket) {
    if (bucket === 'day') { var d = new Date(ms); d.setHours(0, 0, 0, 0); return d.getTime(); }
    if (bucket === 'hour') { var h = new Date(ms); h.setMinutes(0, 0, 0); return h.getTime(); }
    return ms - (ms % BUCKET_MS[bucket]);
  }
  function nextBucket(ms, bucket) {
    if (bucket === 'day') { var d = new Date(ms); d.setDate(d.getDate() + 1); d.setHours(0, 0, 0, 0); return d.getTime(); }
    if (bucket === 'hour') return bucketStart(ms + HOUR, 'hour');
    return ms + BUCKET_MS[bucket];
  }

  // Every bucket of the period, empty ones as zero, so the axis spans the period and not a guess.
  function series(s, range) {
    var bucket = s.timeline.bucket;
    var now = new Date(s.generated_at).getTime();
    var byStart = {};
    s.timeline.points.forEach(function (p) { byStart[p.unix_ms] = p; });
    var xs = [], local = [], remote = [], saved = [], spent = [];
    var savedSum = 0, spentSum = 0;
    for (var at = bucketStart(rangeStart(range, now), bucket); at <= now; at = nextBucket(at, bucket)) {
      var p = byStart[at];
      savedSum += p ? p.cost_saved_usd : 0;
      spentSum += p ? p.cost_usd : 0;
      xs.push(at / 1000);
      local.push(p ? p.local : 0);
      remote.push(p ? p.remote : 0);
      saved.push(savedSum);
      spent.push(spentSum);
    }
    var width = (nextBucket(xs[xs.length - 1] * 1000, bucket) - xs[xs.length - 1] * 1000) / 1000;
    return { bucket: bucket, xs: xs, local: local, remote: remote, saved: saved, spent: spent, min: xs[0] - width / 2, max: xs[xs.length - 1] + width / 2 };
  }

  function chartWidth(target) { return Math.max(280, target.clientWidth); }

  function chartsUnavailable(target) {
    var why = window.dashboardLoadError ? 'the chart script failed: ' + window.dashboardLoadError : 'the chart script (uPlot) did not load';
    target.replaceChildren(el('div', 'No chart: ' + why + '. The numbers on this page are complete.', 'empty'));
  }

  // A chart is kept and given new data on refresh; it is rebuilt when the period changes.
  function drawChart(id, key, opts, data) {
    var target = document.getElementById(id);
    opts.hooks = { draw: [function (u) {
      target.setAttribute('data-x-min', String(u.scales.x.min));
      target.setAttribute('data-x-max', String(u.scales.x.max));
      target.setAttribute('data-x-ticks', shown[id].x.join('|'));
      target.setAttribute('data-y-ticks', shown[id].y.join('|'));
    }] };
    var current = charts[id];
    if (current && current.key !== key) {
      current.plot.destroy();
      delete charts[id];
      current = undefined;
    }
    if (typeof uPlot !== 'function') return chartsUnavailable(target);
    try {
      if (current) {
        current.plot.setData(data);
        return;
      }
      target.replaceChildren();
      opts.width = chartWidth(target);
      opts.height = 240;
      opts.legend = { live: false };
      charts[id] = { key: key, plot: new uPlot(opts, data, target) };
    } catch (error) {
      delete charts[id];
      target.replaceChildren(el('div', 'This chart could not be drawn: ' + error.message, 'empty'));
    }
  }

  function remember(id, axis, labels) { shown[id][axis] = labels; return labels; }
  // Clock times within a day, dates beyond; uPlot's own formats depend on the browser's locale.
  function timeTicks(id, bucket) {
    return function (u, splits) {
      return remember(id, 'x', splits.map(function (s) {
        var d = new Date(s * 1000);
        return bucket === 'day' ? MONTHS[d.getMonth()] + ' ' + d.getDate() : two(d.getHours()) + ':' + two(d.getMinutes());
      }));
    };
  }
  function countTicks(id) {
    return function (u, splits) { return remember(id, 'y', splits.map(function (v) { return int(v); })); };
  }
  // Enough decimals for the step between ticks, and no more: $0.005 steps read $0.005, $0.010, …
  function dollarTicks(id) {
    return function (u, splits, axis, space, incr) {
      var decimals = Math.max(0, Math.min(4, Math.ceil(-Math.log10(incr) - 1e-9)));
      return remember(id, 'y', splits.map(function (v) { return '$' + v.toFixed(decimals); }));
    };
  }
  function xAxis(id, bucket) {
    return { incrs: bucket === 'day' ? DAY_INCRS : CLOCK_INCRS, values: timeTicks(id, bucket) };
  }

  function renderCharts(s, range) {
    var d = series(s, range);
    var key = range + '/' + d.bucket;
    shown['chart-routes'].min = shown['chart-savings'].min = d.min;
    shown['chart-routes'].max = shown['chart-savings'].max = d.max;
    var xScale = function (id) { return { time: true, range: function () { return [shown[id].min, shown[id].max]; } }; };
    var barsFor = function (align) {
      return uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.42, 48], align: align }) : undefined;
    };
    var label = d.bucket === '5m' ? '5 minutes' : d.bucket;
    var empty = s.totals.requests === 0;
    document.getElementById('chart-note').textContent = empty ? 'No requests in this period.' : '';
    drawChart('chart-routes', key, {
      scales: { x: xScale('chart-routes'), y: { range: function (u, min, max) { return [0, Math.max(4, max)]; } } },
      axes: [xAxis('chart-routes', d.bucket), { label: 'requests per ' + label, size: 60, incrs: COUNT_INCRS, values: countTicks('chart-routes') }],
      series: [
        { label: label },
        { label: 'local', stroke: COLORS.local, fill: COLORS.local + 'cc', paths: typeof uPlot === 'function' ? barsFor(-1) : undefined, points: { show: false } },
        { label: 'remote', stroke: COLORS.remote, fill: COLORS.remote + 'cc', paths: typeof uPlot === 'function' ? barsFor(1) : undefined, points: { show: false } },
      ],
    }, [d.xs, d.local, d.remote]);
    drawChart('chart-savings', key, {
      scales: { x: xScale('chart-savings'), y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      axes: [xAxis('chart-savings', d.bucket), { label: 'USD (cumulative)', size: 70, incrs: DOLLAR_INCRS, values: dollarTicks('chart-savings') }],
      series: [
        { label: label },
        { label: 'saved locally', stroke: COLORS.local, width: 2, fill: COLORS.local + '22', points: { show: false } },
        { label: 'spent at Anthropic', stroke: COLORS.spent, width: 2, points: { show: false } },
      ],
    }, [d.xs, d.saved, d.spent]);
  }

  function renderSummary(s, range) {
    var t = s.totals;
    var label = RANGES[range].label;
    var headline = document.getElementById('headline');
    var bar = document.getElementById('share-local');
    bar.style.width = (t.local_percent || 0) + '%';
    bar.parentElement.className = 'share' + (t.requests ? '' : ' none');
    if (t.requests === 0) {
      headline.textContent = label + ': no requests yet. Point Claude Code here with ANTHROPIC_BASE_URL=' + location.origin;
    } else {
      headline.textContent = label + ': ' + pct(t.local_percent) + ' answered locally — ' + int(t.served_local) + ' of ' + int(t.requests) + ' requests, ' + usd(t.cost_saved_usd) + ' saved.';
    }
    var because = Object.keys(s.remote_because);
    document.getElementById('why-title').textContent = t.served_remote
      ? 'Why the other ' + int(t.served_remote) + ' went to Anthropic'
      : 'Why requests went to Anthropic';
    list('why', because.length ? because.slice(0, 5).map(function (code) {
      var li = el('li', null);
      li.appendChild(el('span', int(s.remote_because[code]), 'count'));
      li.appendChild(el('span', code, 'reason'));
      li.appendChild(el('span', describe(code), 'muted'));
      return li;
    }) : [el('li', t.requests ? 'Nothing went to Anthropic.' : 'Nothing yet.', 'muted')]);
    var advice = [];
    var seen = {};
    function add(text) { if (!seen[text]) { seen[text] = true; advice.push(text); } }
    (state.health ? state.health.backends : []).forEach(function (b) {
      if (b.state === 'down') add(HEALTH_NAMES[b.name] + ' is down (' + b.detail + ')' + (b.fix ? ': ' + b.fix : '.'));
      if (b.name === 'local' && b.state === 'disabled') add(ADVICE.local_disabled);
    });
    because.forEach(function (code) {
      if (code.indexOf('fallback:') === 0) add(FALLBACK_ADVICE);
      else if (ADVICE[code]) add(ADVICE[code]);
    });
    list('advice', advice.length ? advice.slice(0, 4).map(function (a) { return el('li', a); }) : [el('li', t.requests ? 'Nothing: every request that could go local did.' : 'Nothing yet.', 'muted')]);
  }

  function renderCards(s) {
    var t = s.totals;
    setCard('requests', t.requests, int(t.requests), 'local ' + int(t.served_local) + ' · remote ' + int(t.served_remote) + (t.failed ? ' · failed ' + int(t.failed) : ''));
    setCard('local_percent', t.local_percent === null ? '' : t.local_percent, pct(t.local_percent), t.requests ? 'of ' + int(t.requests) + ' requests' : 'no requests yet');
    setCard('tokens_saved', t.tokens_saved, int(t.tokens_saved), !t.tokens_saved ? 'nothing answered locally yet' : t.tokens_saved_estimated ? int(t.tokens_saved_estimated) + ' counted by the proxy' : 'as reported by the backend');
    setCard('cost_saved_usd', t.cost_saved_usd, usd(t.cost_saved_usd), 'remote spend ' + usd(t.cost_usd) + (t.unpriced ? ' · ' + int(t.unpriced) + ' unpriced' : ''));
    setCard('fallbacks', t.fallbacks, int(t.fallbacks), t.decided_local ? pct(t.fallback_percent) + ' of ' + int(t.decided_local) + ' sent local' : 'none sent local yet');
  }

  function renderTables(s) {
    fill('latency', ['local', 'remote'].map(function (route) {
      var r = s.routes[route];
      var l = r.latency_ms || {};
      var f = r.ttfb_ms || {};
      return row([pillCell(route), num(int(r.requests)), num(ms(l.p50)), num(ms(l.p90)), num(ms(l.p99)), num(ms(f.p50)), num(ms(f.p90)), num(ms(f.p99))]);
    }));
    var fallbackRows = Object.keys(s.totals.fallback_reasons).map(function (k) {
      var n = s.totals.fallback_reasons[k];
      return row([el('td', k, 'reason'), num(int(n)), num(pct(s.totals.decided_local ? (n / s.totals.decided_local) * 100 : null))]);
    });
    fill('fallbacks', fallbackRows.length ? fallbackRows : [nothing('No fallbacks.')]);
    var total = s.totals.requests;
    var reasons = Object.keys(s.reasons).map(function (k) {
      return row([el('td', k, 'reason'), el('td', describe(k), 'desc'), num(int(s.reasons[k])), num(pct(total ? (s.reasons[k] / total) * 100 : null))]);
    });
    fill('reasons', reasons.length ? reasons : [nothing('No requests in this period.')]);
    var e = s.estimate_error.remote || s.estimate_error.local;
    document.getElementById('estimate').textContent = e
      ? 'Token estimate vs real prompt size: mean error ' + e.mean_abs_percent.toFixed(1) + '% over ' + int(e.samples) + ' requests with real usage.'
      : '';
  }

  // 09:12 – 10:40 within one day, with the dates when a session spans days.
  function span(first, last) {
    var a = dateTime(first).slice(0, 16);
    var b = dateTime(last).slice(0, 16);
    return a.slice(0, 10) === b.slice(0, 10) ? a.slice(11) + ' – ' + b.slice(11) : a.slice(5) + ' – ' + b.slice(5);
  }

  function renderGroups(s) {
    var g = s.groups;
    var sessions = g.by === 'session';
    document.getElementById('group-key').textContent = sessions ? 'session' : 'model';
    document.getElementById('group-when').textContent = sessions ? 'first – last request' : 'latency p50 ms';
    var rows = g.rows.map(function (r) {
      var key = el('td', sessions && r.key.length > 13 ? r.key.slice(0, 8) + '…' : r.key, sessions ? 'reason key' : 'key');
      key.title = r.key;
      return row([
        key,
        num(int(r.requests)),
        num(pct(r.local_percent)),
        num(int(r.local)),
        num(int(r.remote)),
        num(int(r.fallbacks)),
        num(usd(r.cost_saved_usd)),
        num(usd(r.cost_usd)),
        num(sessions ? span(r.first_event_at, r.last_event_at) : ms(r.latency_p50_ms)),
      ]);
    });
    fill('groups', rows.length ? rows : [nothing('No requests in this period.')]);
  }

  var DETAILS = [
    ['request', function (d) { return d.request_id; }],
    ['time', function (d) { return dateTime(d.at); }],
    ['session', function (d) { return d.session_id || '–'; }],
    ['kind', function (d) { return d.kind; }],
    ['model requested', function (d) { return d.model; }],
    ['model that answered', function (d) { return d.model_served || '–'; }],
    ['decided', function (d) { return d.decided_route; }],
    ['served by', function (d) { return d.route; }],
    ['reason', function (d) { return d.reason + ': ' + describe(d.reason); }],
    ['rule', function (d) { return d.rule || '–'; }],
    ['local failure', function (d) { return d.fallback ? d.fallback + ' (answered by Anthropic instead)' : '–'; }],
    ['HTTP status', function (d) { return d.status + (d.success ? '' : ' (failed)'); }],
    ['tokens in / out', function (d) { return d.input_tokens === null ? '–' : int(d.input_tokens) + ' / ' + int(d.output_tokens || 0) + (d.usage_estimated ? ' (counted by the proxy)' : ''); }],
    ['latency', function (d) { return ms(d.latency_ms) + ' ms'; }],
    ['first byte', function (d) { return d.ttfb_ms === null ? '–' : ms(d.ttfb_ms) + ' ms'; }],
    ['cost at Anthropic', function (d) { return d.cost_usd === null ? 'unknown' : usd(d.cost_usd); }],
    ['saved', function (d) { return d.cost_saved_usd === null ? 'unknown' : usd(d.cost_saved_usd); }],
  ];

  function showFeedback(text, outcome) {
    var result = document.getElementById('feedback-result');
    result.textContent = text;
    if (outcome) result.setAttribute('data-state', outcome);
    else result.removeAttribute('data-state');
  }
  // Recorded in the store the router consults: the next prompt with the same features follows it.
  function sendFeedback(expected) {
    var id = state.details;
    showFeedback('Recording…', null);
    fetch('/feedback', {
      method: 'POST',
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request_id: id, expected: expected }),
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body && body.error ? body.error.message : 'HTTP ' + r.status);
        if (state.details === id) showFeedback('Recorded: prompts like this one now go ' + expected + '.', 'ok');
      });
    }).catch(function (error) {
      if (state.details === id) showFeedback('Not recorded: ' + error.message, 'error');
    });
  }

  function openDetails(d) {
    state.details = d.request_id;
    showFeedback('', null);
    var dl = document.getElementById('details-list');
    var items = [];
    DETAILS.forEach(function (f) {
      items.push(el('dt', f[0]));
      var dd = el('dd', f[1](d));
      dd.setAttribute('data-field', f[0]);
      items.push(dd);
    });
    dl.replaceChildren.apply(dl, items);
    document.getElementById('details').showModal();
  }

  function renderRecent(live) {
    var recent = live.recent.map(function (d) {
      var reason = d.reason + (d.rule ? ' (' + d.rule + ')' : '') + (d.fallback ? ' → fallback: ' + d.fallback : '');
      var tokens = d.input_tokens === null ? '–' : (d.usage_estimated ? '~' : '') + int(d.input_tokens) + ' / ' + int(d.output_tokens || 0);
      var reasonCell = el('td', reason, 'reason');
      reasonCell.title = describe(d.reason);
      var tr = row([
        el('td', clock(d.at)),
        pillCell(d.route),
        reasonCell,
        el('td', d.model),
        num(d.status),
        num(tokens),
        num(ms(d.latency_ms)),
        num(ms(d.ttfb_ms)),
        num(d.cost_saved_usd ? usd(d.cost_saved_usd) : '–'),
      ]);
      tr.className = 'open';
      tr.tabIndex = 0;
      tr.setAttribute('data-request-id', d.request_id);
      tr.addEventListener('click', function () { openDetails(d); });
      tr.addEventListener('keydown', function (event) { if (event.key === 'Enter') openDetails(d); });
      return tr;
    });
    fill('recent', recent.length ? recent : [nothing('No requests since the proxy started.')]);
  }

  var HEALTH_WORDS = { up: 'up', down: 'down', disabled: 'off' };
  var HEALTH_NAMES = { local: 'The local backend', aidb: 'AIDB', remote: 'Anthropic' };
  function renderHealth(report) {
    ['local', 'aidb', 'remote'].forEach(function (name) {
      var pill = document.querySelector('[data-health="' + name + '"]');
      var b = report && report.backends.filter(function (x) { return x.name === name; })[0];
      // Never probed, or not reported: unknown, never green.
      var state = b ? b.state : 'unknown';
      pill.textContent = HEALTH_WORDS[state] || 'unknown';
      pill.className = 'pill ' + (state === 'up' ? (b.warning ? 'warn' : 'ok') : state === 'down' ? 'bad' : '');
      pill.setAttribute('data-state', state);
      pill.title = b ? b.target + ' — ' + b.detail + (b.fix ? ' — ' + b.fix : '') : 'not probed yet';
    });
  }

  function renderStatus(s, live) {
    document.getElementById('updated').textContent = 'updated ' + clock(s.generated_at) + ' · every ' + Math.round(state.every / 1000) + ' s';
    var skipped = s.lines.corrupt + s.lines.legacy + s.lines.foreign;
    document.getElementById('footer').textContent =
      'Telemetry ' + s.dir + ' · ' + int(s.files.event_files) + ' daily files, ' + (s.files.dir_bytes / 1e6).toFixed(1) + ' MB' +
      (skipped ? ' · ' + int(skipped) + ' lines not counted (' + int(s.lines.corrupt) + ' corrupt, ' + int(s.lines.legacy) + ' from the old proxy)' : '') +
      (live.telemetry.lost ? ' · ' + int(live.telemetry.lost) + ' events could not be written' : '') +
      '. Savings: what the locally answered tokens would have cost at the requested model\\'s Anthropic price.';
  }

  function refreshHealth() {
    state.healthAt = Date.now();
    return getJson('/health/ready', 503).then(function (report) {
      state.health = report;
      renderHealth(report);
    }, function () {
      state.health = null;
      renderHealth(null);
    }).then(function () {
      // Health fixes are part of the advice.
      if (state.shown) renderSummary(state.shown.stats, state.shown.range);
    });
  }

  function refresh() {
    var range = state.range;
    var mine = ++generation;
    var url = '/stats?since=' + encodeURIComponent(sinceParam(range)) + '&bucket=' + RANGES[range].bucket + '&by=' + state.view;
    return Promise.all([getJson(url), getJson('/stats/live')]).then(function (r) {
      // A newer refresh (another period or view) has started: its answer is the one to show.
      if (mine !== generation) return;
      var s = r[0];
      var live = r[1];
      state.shown = { stats: s, range: range };
      renderSummary(s, range);
      renderCards(s);
      renderCharts(s, range);
      renderTables(s);
      renderGroups(s);
      renderRecent(live);
      renderStatus(s, live);
      document.getElementById('error').className = 'banner';
      document.body.setAttribute('data-since', s.range.since);
      document.body.setAttribute('data-loaded', s.generated_at);
      document.body.setAttribute('data-range-loaded', range + '/' + state.view);
    }).catch(function (error) {
      var banner = document.getElementById('error');
      banner.textContent = 'Could not refresh: ' + error.message;
      banner.className = 'banner show';
    });
  }

  function select(attr, value) {
    document.querySelectorAll('[' + attr + ']').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute(attr) === value)); });
  }
  document.querySelectorAll('[data-range]').forEach(function (b) {
    b.addEventListener('click', function () {
      state.range = b.getAttribute('data-range');
      history.replaceState(null, '', '#range=' + state.range);
      select('data-range', state.range);
      refresh();
    });
  });
  document.querySelectorAll('[data-view]').forEach(function (b) {
    b.addEventListener('click', function () {
      state.view = b.getAttribute('data-view');
      select('data-view', state.view);
      refresh();
    });
  });
  document.querySelectorAll('[data-feedback]').forEach(function (b) {
    b.addEventListener('click', function () { sendFeedback(b.getAttribute('data-feedback')); });
  });
  document.getElementById('details-close').addEventListener('click', function () { document.getElementById('details').close(); });
  select('data-range', state.range);
  select('data-view', state.view);
  renderHealth(null);

  window.addEventListener('resize', function () {
    Object.keys(charts).forEach(function (id) {
      charts[id].plot.setSize({ width: chartWidth(document.getElementById(id)), height: 240 });
    });
  });
  refreshHealth();
  refresh();
  // A large telemetry directory takes long to read: refreshing then keeps the server's reading to
  // about a tenth of a core instead of every 10 seconds.
  function tick() {
    var started = Date.now();
    if (started - state.healthAt >= HEALTH_MS) refreshHealth();
    refresh().then(function () {
      state.every = Math.max(REFRESH_MS, (Date.now() - started) * LOAD_FACTOR);
      setTimeout(tick, state.every);
    });
  }
  setTimeout(tick, REFRESH_MS);
})();
`;
