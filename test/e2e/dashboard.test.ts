import Anthropic from '@anthropic-ai/sdk';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentStatus } from '../../src/backends/health.js';
import { FALLBACK_ADVICE, REMOTE_ADVICE } from '../../src/dashboard/advice.js';
import { REASONS } from '../../src/routing/reasons.js';
import { localDate, toJsonLine } from '../../src/telemetry/json-line.js';
import type { StatsReport } from '../../src/telemetry/stats.js';
import { launchTestBrowser, type TestBrowser } from '../helpers/browser.js';
import { anthropicLike, FakeUpstream } from '../helpers/fake-anthropic.js';
import { eventually, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { fakeLocalBackend } from '../fixtures/fake-local-backend.js';
import { generateCorpus, makeEvent, random, writeCorpus } from '../fixtures/telemetry-corpus.js';

// The dashboard in a real headless Chromium against the real server: a week of telemetry plus live
// requests, and a directory holding only the last hour. Screenshots go to DASHBOARD_SCREENSHOTS
// when set (kept), else to a temporary directory (removed).

const HOUR_MS = 3_600_000;
const LOCAL_UP: ComponentStatus = { name: 'local', target: 'anthropic http://127.0.0.1:9', required: true, state: 'up', warning: false, latency_ms: 3, detail: 'fake', fix: null };
const AIDB_OFF: ComponentStatus = { name: 'aidb', target: 'http://127.0.0.1:9', required: false, state: 'disabled', warning: false, latency_ms: null, detail: 'rag.enabled is false', fix: null };

let chromium: TestBrowser;
let context: BrowserContext;
let shots: string;
let upstream: FakeUpstream;
let week: RunningProxy;
let hour: RunningProxy;
const requested: { url: string; method: string; origin: string | undefined }[] = [];
/** The proxies under test; a request for anything else is refused and reported. */
const proxies = new Set<string>();

async function openPage(url: string, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForSelector('body[data-loaded]');
  return page;
}

/** The report the page is showing, fetched again with the page's own filter. */
async function statsShown(page: Page, proxy: RunningProxy, query: string): Promise<StatsReport> {
  const since = await page.getAttribute('body', 'data-since');
  return (await (await fetch(`${proxy.url}/stats?since=${encodeURIComponent(since ?? '')}&${query}`)).json()) as StatsReport;
}

async function choose(page: Page, attr: 'data-range' | 'data-view', value: string): Promise<void> {
  const before = (await page.getAttribute('body', 'data-loaded')) ?? '';
  await page.click(`[${attr}="${value}"]`);
  // The page records what it shows as "range/view" once a refresh has rendered.
  const shown = attr === 'data-range' ? `[data-range-loaded^="${value}/"]` : `[data-range-loaded$="/${value}"]`;
  await page.waitForSelector(`body:not([data-loaded="${before}"])${shown}`);
}

const ticks = (page: Page, chart: string, axis: 'x' | 'y') => page.getAttribute(`#${chart}`, `data-${axis}-ticks`).then((t) => (t ?? '').split('|').filter(Boolean));

/** A directory holding only requests of the last hour, as a first day with the proxy would. */
async function firstHourDir(dir: string, now: number): Promise<void> {
  const rand = random(5);
  const files = new Map<string, string>();
  for (let i = 0; i < 40; i++) {
    const event = makeEvent(rand, now - 55 * 60_000 + i * 80_000, i);
    const name = `events-${localDate(new Date(event.metadata.unix_ms))}.jsonl`;
    files.set(name, (files.get(name) ?? '') + toJsonLine(event));
  }
  await mkdir(dir, { recursive: true });
  await Promise.all([...files].map(([name, text]) => writeFile(join(dir, name), text)));
}

beforeAll(async () => {
  shots = process.env.DASHBOARD_SCREENSHOTS ?? (await mkdtemp(join(tmpdir(), 'cap-screens-')));
  await mkdir(shots, { recursive: true });
  upstream = await new FakeUpstream(anthropicLike()).start();
  const local = { ...fakeLocalBackend({ usage: { input: 300, output: 50 }, failures: { BROKEN: 'refused' } }), status: async () => [LOCAL_UP, AIDB_OFF] };
  week = await startProxy({ remote: { url: upstream.url } }, { ctx: { local } });
  // A week of history in the directory, then a few live requests.
  const today = new Date();
  const days = [7, 6, 5, 4, 3, 2, 1].map((n) => localDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - n)));
  await writeCorpus(week.config.telemetry.dir, generateCorpus(days, 60, 3));
  const client = new Anthropic({ baseURL: week.url, apiKey: 'sk-ant-client', maxRetries: 0 });
  const ask = (text: string, to: string) =>
    client.messages
      .stream({ model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user', content: text }] }, { headers: { 'x-claude-proxy-route': to, 'x-claude-code-session-id': 'live-session-0001' } })
      .finalMessage();
  await ask('What does the flake build?', 'remote');
  await ask('Show git status.', 'local');
  await ask('BROKEN on purpose', 'local');
  await eventually(() => week.events.length === 3);

  hour = await startProxy({ remote: { url: upstream.url } }, { ctx: { local: { ...fakeLocalBackend({ usage: { input: 10, output: 5 } }), status: async () => [LOCAL_UP, AIDB_OFF] } } });
  await firstHourDir(hour.config.telemetry.dir, Date.now());

  chromium = await launchTestBrowser();
  // Under LANG=C.UTF-8 Chromium reports the locale en-US@posix; a test must not depend on it.
  context = await chromium.browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 1000 } });
  for (const p of [week, hour]) proxies.add(new URL(p.url).origin);
  // Every request the pages make is seen here; anything not for a proxy under test is refused.
  await context.route('**/*', async (route) => {
    const request = route.request();
    requested.push({ url: request.url(), method: request.method(), origin: (await request.allHeaders()).origin });
    if (proxies.has(new URL(request.url()).origin)) await route.continue();
    else await route.abort();
  });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await chromium?.close();
  await week?.close();
  await hour?.close();
  await upstream?.stop();
  if (!process.env.DASHBOARD_SCREENSHOTS && shots) await rm(shots, { recursive: true, force: true });
});

describe('the dashboard over a week of data', () => {
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    page = await openPage(`${week.url}/dashboard#range=7d`, errors);
    await page.waitForSelector('[data-health="remote"][data-state="up"]');
  });

  it('loads with no console errors and no request leaving the proxy', () => {
    expect(errors).toEqual([]);
    const origin = new URL(week.url).origin;
    expect(requested.filter((r) => !r.url.startsWith('data:') && new URL(r.url).origin !== origin && !proxies.has(new URL(r.url).origin))).toEqual([]);
    expect(requested.map((r) => new URL(r.url).pathname)).toEqual(
      expect.arrayContaining(['/dashboard', '/dashboard/assets/locale-guard.js', '/dashboard/assets/uPlot.iife.min.js', '/dashboard/assets/app.js', '/stats', '/stats/live', '/health/ready']),
    );
  });

  it('passes the browser-origin guard: its same-origin GETs carry no Origin header', () => {
    const fetches = requested.filter((r) => /\/(stats|stats\/live|health\/ready)(\?|$)/.test(new URL(r.url).pathname + new URL(r.url).search));
    expect(fetches.length).toBeGreaterThanOrEqual(3);
    for (const f of fetches) expect(f).toMatchObject({ method: 'GET', origin: undefined });
    expect(week.config.listen.allowedOrigins).toEqual([]);
  });

  it('shows the numbers of /stats for the period chosen', async () => {
    const stats = await statsShown(page, week, 'by=model&bucket=day');
    const t = stats.totals;
    expect(t.requests).toBeGreaterThan(300);
    const card = async (name: string) => ({ value: await page.getAttribute(`[data-stat="${name}"]`, 'data-value'), text: await page.textContent(`[data-stat="${name}"]`) });
    expect(await card('requests')).toEqual({ value: String(t.requests), text: t.requests.toLocaleString('en-US') });
    expect(await card('local_percent')).toEqual({ value: String(t.local_percent), text: `${t.local_percent?.toFixed(1)}%` });
    expect(await card('tokens_saved')).toEqual({ value: String(t.tokens_saved), text: t.tokens_saved.toLocaleString('en-US') });
    expect(await card('cost_saved_usd')).toEqual({ value: String(t.cost_saved_usd), text: `$${t.cost_saved_usd.toFixed(2)}` });
    expect(await card('fallbacks')).toEqual({ value: String(t.fallbacks), text: t.fallbacks.toLocaleString('en-US') });
    expect(await page.textContent('#headline')).toBe(
      `In the last 7 days: ${t.local_percent?.toFixed(1)}% answered locally — ${t.served_local.toLocaleString('en-US')} of ${t.requests.toLocaleString('en-US')} requests, $${t.cost_saved_usd.toFixed(2)} saved.`,
    );
    const models = await page.locator('#groups tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 5).map((td) => td.textContent)));
    expect(models).toEqual(
      (stats.groups?.rows ?? []).map((r) => [r.key, r.requests.toLocaleString('en-US'), `${r.local_percent?.toFixed(1)}%`, r.local.toLocaleString('en-US'), r.remote.toLocaleString('en-US')]),
    );
  });

  it('says why the rest went to Anthropic, in words, and what to change', async () => {
    const stats = await statsShown(page, week, 'bucket=day');
    const why = await page.locator('#why li').evaluateAll((items) => items.map((li) => [...li.querySelectorAll('span')].map((s) => s.textContent)));
    const top = Object.entries(stats.remote_because).slice(0, 5);
    expect(why.map(([count, code]) => [code, count])).toEqual(top.map(([code, n]) => [code, n.toLocaleString('en-US')]));
    for (const [, code, text] of why) {
      if (code?.startsWith('fallback:')) expect(text).toContain(code.slice('fallback:'.length));
      else expect(text).toBe(REASONS[code as keyof typeof REASONS]);
    }
    const advice = await page.locator('#advice li').allTextContents();
    const expected = [...new Set(Object.keys(stats.remote_because).map((code) => (code.startsWith('fallback:') ? FALLBACK_ADVICE : REMOTE_ADVICE[code as keyof typeof REMOTE_ADVICE])).filter(Boolean))];
    expect(advice).toEqual(expected.slice(0, 4));
    const described = await page.locator('#reasons tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)));
    expect(described).toEqual(Object.entries(stats.reasons).map(([code, n]) => [code, REASONS[code as keyof typeof REASONS] ?? 'no description', n.toLocaleString('en-US')]));
  });

  it('has a daily time axis over the week and dollar ticks that are all different', async () => {
    expect(await page.locator('#chart-routes canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-savings canvas').count()).toBeGreaterThan(0);
    const min = Number(await page.getAttribute('#chart-routes', 'data-x-min')) * 1000;
    const max = Number(await page.getAttribute('#chart-routes', 'data-x-max')) * 1000;
    expect(min).toBeGreaterThan(Date.now() - 9 * 24 * HOUR_MS);
    expect(max).toBeLessThan(Date.now() + 24 * HOUR_MS);
    for (const label of await ticks(page, 'chart-routes', 'x')) expect(label).toMatch(/^[A-Z][a-z]{2} \d{1,2}$/);
    const dollars = await ticks(page, 'chart-savings', 'y');
    expect(dollars.length).toBeGreaterThan(2);
    expect(new Set(dollars).size).toBe(dollars.length);
    const values = dollars.map((d) => Number(d.replace('$', '')));
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it('shows the health of the local backend, AIDB and Anthropic as probed', async () => {
    expect(await page.textContent('[data-health="local"]')).toBe('up');
    expect(await page.textContent('[data-health="aidb"]')).toBe('off');
    expect(await page.textContent('[data-health="remote"]')).toBe('up');
  });

  it('per session: one row per Claude Code session as /stats counts them', async () => {
    await choose(page, 'data-view', 'session');
    const stats = await statsShown(page, week, 'by=session&bucket=day');
    const rows = await page.locator('#groups tbody tr').evaluateAll((trs) => trs.map((r) => [r.querySelector('td')?.title, r.querySelectorAll('td')[1]?.textContent]));
    expect(rows).toEqual((stats.groups?.rows ?? []).map((r) => [r.key, r.requests.toLocaleString('en-US')]));
    expect(rows[0]?.[0]).toBe('live-session-0001');
    await choose(page, 'data-view', 'model');
  });

  it('opens one request with everything known about it', async () => {
    const rows = page.locator('#recent tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).locator('td').nth(2).textContent()).toBe('header_override → fallback: refused');
    await rows.nth(0).click();
    await page.waitForSelector('#details[open]');
    const newest = week.events[2]?.metadata;
    expect(await page.textContent('[data-field="request"]')).toBe(newest?.request_id);
    expect(await page.textContent('[data-field="session"]')).toBe('live-session-0001');
    expect(await page.textContent('[data-field="reason"]')).toBe(`header_override: ${REASONS.header_override}`);
    expect(await page.textContent('[data-field="local failure"]')).toBe('refused (answered by Anthropic instead)');
    await page.screenshot({ path: join(shots, 'dashboard-details.png') });
    await page.click('#details-close');
    expect(await page.locator('#details[open]').count()).toBe(0);
  });

  it('switches the period: the last 24 hours hold only the live requests', async () => {
    await choose(page, 'data-range', '24h');
    const stats = await statsShown(page, week, 'bucket=hour');
    expect(await page.getAttribute('[data-stat="requests"]', 'data-value')).toBe(String(stats.totals.requests));
    await choose(page, 'data-range', '7d');
    await page.screenshot({ path: join(shots, 'dashboard-week.png'), fullPage: true });
    await access(join(shots, 'dashboard-week.png'));
  });

  it('records a correction from the details: the store the router consults has it', async () => {
    const before = week.events.length;
    const client = new Anthropic({ baseURL: week.url, apiKey: 'sk-ant-client', maxRetries: 0 });
    await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user', content: 'Refactor entire codebase' }] });
    const id = (await eventually(() => week.events[before])).metadata.request_id;
    await page.reload();
    await page.waitForSelector(`#recent tr[data-request-id="${id}"]`);
    await page.click(`#recent tr[data-request-id="${id}"]`);
    await page.waitForSelector('#details[open]');
    await page.click('[data-feedback="local"]');
    await page.waitForSelector('#feedback-result[data-state="ok"]');
    expect(await page.textContent('#feedback-result')).toBe('Recorded: prompts like this one now go local.');
    expect(week.ctx.feedback.corrections.map((c) => [c.requestId, c.expected, c.decided])).toContainEqual([id, 'local', 'remote']);
    // The browser sends its Origin on a POST; the guard serves the proxy's own on this path.
    expect(requested.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/feedback').map((r) => r.origin)).toEqual([new URL(week.url).origin]);
    await page.screenshot({ path: join(shots, 'dashboard-feedback.png') });
    await page.click('#details-close');
  });
});

describe('the dashboard after the first hour', () => {
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    page = await openPage(`${hour.url}/dashboard#range=1h`, errors);
    await page.waitForSelector('[data-health="remote"][data-state="up"]');
  });

  it('keeps its axes to the hour: five-minute bars, clock times, no year in sight', async () => {
    expect(errors).toEqual([]);
    const min = Number(await page.getAttribute('#chart-routes', 'data-x-min')) * 1000;
    const max = Number(await page.getAttribute('#chart-routes', 'data-x-max')) * 1000;
    expect(min).toBeGreaterThan(Date.now() - 2 * HOUR_MS);
    expect(max).toBeLessThan(Date.now() + HOUR_MS);
    const xs = await ticks(page, 'chart-routes', 'x');
    expect(xs.length).toBeGreaterThan(2);
    for (const label of xs) expect(label).toMatch(/^\d{2}:\d{2}$/);
    const dollars = await ticks(page, 'chart-savings', 'y');
    expect(new Set(dollars).size).toBe(dollars.length);
    const stats = await statsShown(page, hour, 'bucket=5m');
    expect(await page.getAttribute('[data-stat="requests"]', 'data-value')).toBe(String(stats.totals.requests));
    expect(stats.totals.requests).toBe(40);
    await page.screenshot({ path: join(shots, 'dashboard-first-hour.png'), fullPage: true });
  });

  it('draws its charts when the browser reports a POSIX locale (en-US@posix)', async () => {
    const tab = await context.newPage();
    const tabErrors: string[] = [];
    tab.on('pageerror', (error) => tabErrors.push(error.message));
    await tab.addInitScript({ content: "Object.defineProperty(navigator, 'language', { value: 'en-US@posix', configurable: true });" });
    try {
      await tab.goto(`${hour.url}/dashboard#range=1h`);
      await tab.waitForSelector('body[data-loaded]');
      expect(tabErrors).toEqual([]);
      expect(await tab.locator('#chart-routes canvas').count()).toBeGreaterThan(0);
    } finally {
      await tab.close();
    }
  });

  it('says what broke when the chart script throws, and still shows every number', async () => {
    const tab = await context.newPage();
    await tab.route('**/dashboard/assets/uPlot.iife.min.js', (route) => route.fulfill({ contentType: 'text/javascript', body: 'throw new Error("a broken build");' }));
    try {
      await tab.goto(`${hour.url}/dashboard#range=1h`);
      await tab.waitForSelector('body[data-loaded]');
      const text = await tab.textContent('#chart-routes');
      expect(text).toContain('a broken build');
      expect(text).not.toContain('not available');
      expect(await tab.getAttribute('[data-stat="requests"]', 'data-value')).toBe('40');
    } finally {
      await tab.close();
    }
  });

  it('shows health as unknown until the probe has answered, never green before', async () => {
    const tab = await context.newPage();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await tab.route('**/health/ready', async (route) => {
      await held;
      await route.continue();
    });
    try {
      await tab.goto(`${hour.url}/dashboard`);
      await tab.waitForSelector('body[data-loaded]');
      for (const name of ['local', 'aidb', 'remote']) {
        expect(await tab.getAttribute(`[data-health="${name}"]`, 'data-state')).toBe('unknown');
        expect(await tab.getAttribute(`[data-health="${name}"]`, 'class')).not.toContain('ok');
      }
      release();
      await tab.waitForSelector('[data-health="local"][data-state="up"]');
    } finally {
      release();
      await tab.close();
    }
  });
});

describe('auto-refresh', () => {
  it('shows a new decision on the next refresh without a reload', async () => {
    const tab = await context.newPage();
    try {
      await tab.clock.install();
      await tab.goto(`${week.url}/dashboard`);
      await tab.waitForSelector('body[data-loaded]');
      const before = await tab.locator('#recent tbody tr').count();
      const client = new Anthropic({ baseURL: week.url, apiKey: 'sk-ant-client', maxRetries: 0 });
      await client.messages.create({ model: 'claude-haiku-5-5', max_tokens: 50, messages: [{ role: 'user', content: 'One more.' }] }, { headers: { 'x-claude-proxy-route': 'remote' } });
      await eventually(() => week.events.length === before + 1);
      await tab.clock.fastForward(10_000);
      await expect.poll(() => tab.locator('#recent tbody tr').count()).toBe(before + 1);
      expect(await tab.locator('#recent tbody tr:first-child td:nth-child(4)').textContent()).toBe('claude-haiku-5-5');
    } finally {
      await tab.close();
    }
  });
});

describe('the dashboard of a fresh install', () => {
  it('says there is nothing yet instead of showing made-up numbers', async () => {
    const fresh = await startProxy({ local: { enabled: false }, remote: { url: upstream.url } });
    proxies.add(new URL(fresh.url).origin);
    const errors: string[] = [];
    const tab = await openPage(`${fresh.url}/dashboard`, errors);
    try {
      await tab.waitForSelector('[data-health="local"]:not([data-state="unknown"])');
      expect(errors).toEqual([]);
      expect(await tab.textContent('[data-stat="requests"]')).toBe('0');
      expect(await tab.textContent('[data-stat="local_percent"]')).toBe('–');
      expect(await tab.textContent('[data-stat="cost_saved_usd"]')).toBe('$0.00');
      expect(await tab.textContent('#headline')).toBe(`Today: no requests yet. Point Claude Code here with ANTHROPIC_BASE_URL=${fresh.url}`);
      expect(await tab.textContent('#chart-note')).toBe('No requests in this period.');
      expect(await tab.textContent('#recent tbody')).toBe('No requests since the proxy started.');
      expect(await tab.textContent('[data-health="local"]')).toBe('off');
      expect(await tab.locator('#advice li').allTextContents()).toEqual([REMOTE_ADVICE.local_disabled]);
      await tab.screenshot({ path: join(shots, 'dashboard-empty.png'), fullPage: true });
    } finally {
      await tab.close();
      await fresh.close();
    }
  });
});
