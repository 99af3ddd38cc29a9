// The dashboard's script (served as /dashboard/assets/app.js), plain ES2020 for the browser.
// It reads /stats and /stats/live from the same server and builds every cell with textContent:
// model names and reasons come from requests and are never parsed as HTML.

/** How often the page refreshes itself. */
export const DASHBOARD_REFRESH_MS = 10_000;

export const DASHBOARD_JS = `'use strict';
(function () {
  var REFRESH_MS = ${DASHBOARD_REFRESH_MS};
  var COLORS = { local: '#1f9d6b', remote: '#5b5bd6', spent: '#d9822b' };
  var charts = {};

  function int(n) { return Math.round(n).toLocaleString('en-US'); }
  function pct(n) { return n === null || n === undefined ? '–' : n.toFixed(1) + '%'; }
  function usd(n) { return '$' + (n > 0 && n < 1 ? n.toFixed(4) : n.toFixed(2)); }
  function ms(n) { return n === null || n === undefined ? '–' : int(n); }
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
  function pillCell(route) {
    var td = el('td', null);
    td.appendChild(el('span', route, 'pill ' + route));
    return td;
  }
  function fill(tableId, rows) {
    var body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren.apply(body, rows);
  }
  function setCard(name, value, text, hint) {
    var v = document.querySelector('[data-stat="' + name + '"]');
    v.textContent = text;
    v.setAttribute('data-value', String(value));
    document.querySelector('[data-hint="' + name + '"]').textContent = hint;
  }
  function getJson(url) {
    return fetch(url, { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error(url + ' answered HTTP ' + r.status);
      return r.json();
    });
  }

  function renderCards(s) {
    var t = s.totals;
    setCard('requests', t.requests, int(t.requests), 'local ' + int(t.served_local) + ' · remote ' + int(t.served_remote) + (t.failed ? ' · failed ' + int(t.failed) : ''));
    setCard('local_percent', t.local_percent === null ? '' : t.local_percent, pct(t.local_percent), t.requests ? 'of ' + int(t.requests) + ' requests' : 'no requests yet');
    setCard('tokens_saved', t.tokens_saved, int(t.tokens_saved), !t.tokens_saved ? 'nothing answered locally yet' : t.tokens_saved_estimated ? int(t.tokens_saved_estimated) + ' counted by the proxy' : 'as reported by the backend');
    setCard('cost_saved_usd', t.cost_saved_usd, usd(t.cost_saved_usd), 'remote spend ' + usd(t.cost_usd) + (t.unpriced ? ' · ' + int(t.unpriced) + ' unpriced' : ''));
    setCard('fallbacks', t.fallbacks, int(t.fallbacks), t.decided_local ? pct(t.fallback_percent) + ' of ' + int(t.decided_local) + ' sent local' : 'none sent local yet');
  }

  function chartWidth(target) { return Math.max(280, target.clientWidth); }

  // A chart is kept and given new data on refresh; it is rebuilt only when the bucket size changes.
  function drawChart(id, bucket, opts, data) {
    var target = document.getElementById(id);
    var current = charts[id];
    if (current && (current.bucket !== bucket || data[0].length === 0)) {
      current.plot.destroy();
      delete charts[id];
      current = undefined;
    }
    if (data[0].length === 0 || typeof uPlot !== 'function') {
      target.replaceChildren(el('div', typeof uPlot === 'function' ? 'No events in this period yet.' : 'Chart library not available.', 'empty'));
      return;
    }
    if (current) {
      current.plot.setData(data);
      return;
    }
    target.replaceChildren();
    opts.width = chartWidth(target);
    opts.height = 240;
    opts.legend = { live: false };
    charts[id] = { bucket: bucket, plot: new uPlot(opts, data, target) };
  }

  // Half a bucket of room on each side, so one bar alone is as wide as it should be.
  function xRange(bucketSeconds) {
    return function (u, min, max) { return [min - bucketSeconds / 2, max + bucketSeconds / 2]; };
  }

  function renderCharts(s) {
    var points = s.timeline.points;
    var bucket = s.timeline.bucket === 'hour' ? 3600 : 86400;
    var xs = points.map(function (p) { return p.unix_ms / 1000; });
    var bars = uPlotBars();
    drawChart('chart-routes', bucket, {
      scales: { x: { time: true, range: xRange(bucket) }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{}, { label: 'requests per ' + s.timeline.bucket, size: 60 }],
      series: [
        { label: s.timeline.bucket === 'hour' ? 'hour' : 'day' },
        { label: 'local', stroke: COLORS.local, fill: COLORS.local + 'cc', paths: bars(-1), points: { show: false } },
        { label: 'remote', stroke: COLORS.remote, fill: COLORS.remote + 'cc', paths: bars(1), points: { show: false } },
      ],
    }, [xs, points.map(function (p) { return p.local; }), points.map(function (p) { return p.remote; })]);

    var saved = 0;
    var spent = 0;
    drawChart('chart-savings', bucket, {
      scales: { x: { time: true, range: xRange(bucket) }, y: { range: function (u, min, max) { return [0, Math.max(0.01, max)]; } } },
      axes: [{}, { label: 'USD', size: 60, values: dollarTicks }],
      series: [
        { label: s.timeline.bucket === 'hour' ? 'hour' : 'day' },
        { label: 'saved', stroke: COLORS.local, width: 2, fill: COLORS.local + '22', value: function (u, v) { return v === null ? '–' : usd(v); } },
        { label: 'spent remote', stroke: COLORS.spent, width: 2, value: function (u, v) { return v === null ? '–' : usd(v); } },
      ],
    }, [
      xs,
      points.map(function (p) { saved += p.cost_saved_usd; return saved; }),
      points.map(function (p) { spent += p.cost_usd; return spent; }),
    ]);
  }

  // One number format per axis: cents only when some tick needs them.
  function dollarTicks(u, vals) {
    var cents = vals.some(function (v) { return Math.round(v) !== v; });
    return vals.map(function (v) { return '$' + v.toFixed(cents ? 2 : 0); });
  }

  function uPlotBars() {
    return function (align) {
      return typeof uPlot === 'function' && uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.42, 48], align: align }) : undefined;
    };
  }

  function renderTables(s, live) {
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
    fill('fallbacks', fallbackRows.length ? fallbackRows : [row([el('td', 'No fallbacks.', 'muted')])]);
    var total = s.totals.requests;
    var reasons = Object.keys(s.reasons).map(function (k) { return row([el('td', k, 'reason'), num(int(s.reasons[k])), num(pct(total ? (s.reasons[k] / total) * 100 : null))]); });
    fill('reasons', reasons.length ? reasons : [row([el('td', 'No requests yet.', 'muted')])]);
    var e = s.estimate_error.remote || s.estimate_error.local;
    document.getElementById('estimate').textContent = e
      ? 'Token estimate vs real prompt size: mean error ' + e.mean_abs_percent.toFixed(1) + '% over ' + int(e.samples) + ' requests with real usage.'
      : '';
    var recent = live.recent.map(function (d) {
      var reason = d.reason + (d.rule ? ' (' + d.rule + ')' : '') + (d.fallback ? ' → fallback: ' + d.fallback : '');
      var tokens = d.input_tokens === null ? '–' : (d.usage_estimated ? '~' : '') + int(d.input_tokens) + ' / ' + int(d.output_tokens || 0);
      return row([
        el('td', new Date(d.at).toLocaleTimeString('en-GB')),
        pillCell(d.route),
        el('td', reason, 'reason'),
        el('td', d.model),
        num(d.status),
        num(tokens),
        num(ms(d.latency_ms)),
        num(ms(d.ttfb_ms)),
        num(d.cost_saved_usd ? usd(d.cost_saved_usd) : '–'),
      ]);
    });
    fill('recent', recent.length ? recent : [row([el('td', 'No requests since the proxy started.', 'muted')])]);
  }

  function renderStatus(s, live) {
    var b = document.getElementById('backend');
    b.textContent = !live.backend.enabled ? 'disabled' : live.backend.health === 'unknown' ? 'not probed yet' : live.backend.healthy ? 'healthy' : 'unhealthy';
    b.className = 'pill ' + (!live.backend.enabled || live.backend.health === 'unknown' ? '' : live.backend.healthy ? 'ok' : 'bad');
    b.title = live.backend.name;
    document.getElementById('updated').textContent = 'updated ' + new Date(s.generated_at).toLocaleTimeString('en-GB') + ' · every ' + REFRESH_MS / 1000 + ' s';
    var skipped = s.lines.corrupt + s.lines.legacy + s.lines.foreign;
    document.getElementById('footer').textContent =
      'Telemetry ' + s.dir + ' · ' + int(s.files.event_files) + ' daily files, ' + (s.files.dir_bytes / 1e6).toFixed(1) + ' MB' +
      (skipped ? ' · ' + int(skipped) + ' lines not counted (' + int(s.lines.corrupt) + ' corrupt, ' + int(s.lines.legacy) + ' from the old proxy)' : '') +
      (live.telemetry.lost ? ' · ' + int(live.telemetry.lost) + ' events could not be written' : '') +
      '. Savings: what the locally answered tokens would have cost at the requested model\\'s Anthropic price.';
  }

  function refresh() {
    return Promise.all([getJson('/stats'), getJson('/stats/live')]).then(function (r) {
      var s = r[0];
      var live = r[1];
      renderCards(s);
      renderCharts(s);
      renderTables(s, live);
      renderStatus(s, live);
      document.getElementById('error').className = 'banner';
      document.body.setAttribute('data-loaded', s.generated_at);
    }).catch(function (error) {
      var banner = document.getElementById('error');
      banner.textContent = 'Could not refresh: ' + error.message;
      banner.className = 'banner show';
    });
  }

  window.addEventListener('resize', function () {
    Object.keys(charts).forEach(function (id) {
      charts[id].plot.setSize({ width: chartWidth(document.getElementById(id)), height: 240 });
    });
  });
  refresh();
  setInterval(refresh, REFRESH_MS);
})();
`;
