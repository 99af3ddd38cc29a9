import Anthropic from '@anthropic-ai/sdk';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../src/telemetry/json-line.js';
import type { StatsReport } from '../../src/telemetry/stats.js';
import { anthropicLike, FakeUpstream } from '../helpers/fake-anthropic.js';
import { eventually, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { fakeLocalLeg } from '../fixtures/fake-local-leg.js';
import { generateCorpus, writeCorpus } from '../fixtures/telemetry-corpus.js';

// Debian's chromium (CI's .ci/run installs it), driven by playwright-core.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = new URL('../../test-artifacts/dashboard.png', import.meta.url).pathname;

let upstream: FakeUpstream;
let proxy: RunningProxy;
let profile: string;
let browser: BrowserContext;
let page: Page;
const requested: { url: string; method: string; origin: string | undefined }[] = [];
const consoleErrors: string[] = [];
/** The proxies under test; a request for anything else is refused and reported. */
const proxies = new Set<string>();

beforeAll(async () => {
  await access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (CI's .ci/run does)`);
  });
  upstream = await new FakeUpstream(anthropicLike()).start();
  proxy = await startProxy({ remote: { url: upstream.url } }, { ctx: { local: fakeLocalLeg({ usage: { input: 300, output: 50 }, failures: { BROKEN: 'refused' } }) } });
  // A week of history in the directory, then a few live requests.
  const today = new Date();
  const days = [7, 6, 5, 4, 3, 2, 1].map((n) => localDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - n)));
  await writeCorpus(proxy.config.telemetry.dir, generateCorpus(days, 60, 3));
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-ant-client', maxRetries: 0 });
  const ask = (text: string, to: string) =>
    client.messages.stream({ model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user', content: text }] }, { headers: { 'x-claude-proxy-route': to } }).finalMessage();
  await ask('What does the flake build?', 'remote');
  await ask('Show git status.', 'local');
  await ask('BROKEN on purpose', 'local');
  await eventually(() => proxy.events.length === 3);

  profile = await mkdtemp(join(tmpdir(), 'cap-chromium-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1440, height: 1000 } });
  proxies.add(new URL(proxy.url).origin);
  // Every request the pages make is seen here; anything not for a proxy under test is refused.
  await browser.route('**/*', async (route) => {
    const request = route.request();
    requested.push({ url: request.url(), method: request.method(), origin: (await request.allHeaders()).origin });
    if (proxies.has(new URL(request.url()).origin)) await route.continue();
    else await route.abort();
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(`${proxy.url}/dashboard`);
  await page.waitForSelector('body[data-loaded]');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await proxy?.close();
  await upstream?.stop();
});

describe('the dashboard in Chromium', () => {
  let stats: StatsReport;
  beforeAll(async () => {
    stats = (await (await fetch(`${proxy.url}/stats`)).json()) as StatsReport;
  });

  it('loads with no console errors and no request leaving the proxy', () => {
    expect(consoleErrors).toEqual([]);
    const origin = new URL(proxy.url).origin;
    expect(requested.length).toBeGreaterThanOrEqual(5);
    expect(requested.filter((r) => !r.url.startsWith('data:') && new URL(r.url).origin !== origin)).toEqual([]);
    expect(requested.map((r) => new URL(r.url).pathname)).toEqual(expect.arrayContaining(['/dashboard', '/dashboard/assets/uPlot.iife.min.js', '/dashboard/assets/app.js', '/stats', '/stats/live']));
  });

  it('passes the browser-origin guard: its same-origin GETs carry no Origin header', () => {
    const fetches = requested.filter((r) => r.url.endsWith('/stats') || r.url.endsWith('/stats/live'));
    expect(fetches.length).toBeGreaterThanOrEqual(2);
    for (const f of fetches) expect(f).toMatchObject({ method: 'GET', origin: undefined });
    expect(proxy.config.listen.allowedOrigins).toEqual([]);
  });

  it('shows the numbers of /stats in its cards', async () => {
    const card = async (name: string) => ({
      value: await page.getAttribute(`[data-stat="${name}"]`, 'data-value'),
      text: await page.textContent(`[data-stat="${name}"]`),
    });
    const t = stats.totals;
    expect(t.requests).toBeGreaterThan(400);
    expect(await card('requests')).toEqual({ value: String(t.requests), text: t.requests.toLocaleString('en-US') });
    expect(await card('local_percent')).toEqual({ value: String(t.local_percent), text: `${t.local_percent?.toFixed(1)}%` });
    expect(await card('tokens_saved')).toEqual({ value: String(t.tokens_saved), text: t.tokens_saved.toLocaleString('en-US') });
    expect(await card('cost_saved_usd')).toEqual({ value: String(t.cost_saved_usd), text: `$${t.cost_saved_usd.toFixed(2)}` });
    expect(await card('fallbacks')).toEqual({ value: String(t.fallbacks), text: t.fallbacks.toLocaleString('en-US') });
  });

  it('draws both charts and the latency of each route', async () => {
    expect(await page.locator('#chart-routes canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-savings canvas').count()).toBeGreaterThan(0);
    const rows = await page.locator('#latency tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    for (const [i, route] of (['local', 'remote'] as const).entries()) {
      const p50 = stats.routes[route].latency_ms?.p50 ?? 0;
      const cells = await page.locator(`#latency tbody tr:nth-child(${i + 1}) td`).allTextContents();
      expect(cells[0]).toBe(route);
      expect(cells[1]).toBe(stats.routes[route].requests.toLocaleString('en-US'));
      expect(cells[2]).toBe(Math.round(p50).toLocaleString('en-US'));
    }
  });

  it('lists the most recent decisions with their reasons, newest first', async () => {
    const rows = page.locator('#recent tbody tr');
    expect(await rows.count()).toBe(3);
    const first = await rows.nth(0).locator('td').allTextContents();
    expect(first[1]).toBe('remote');
    expect(first[2]).toBe('header_override → fallback: refused');
    const last = await rows.nth(2).locator('td').allTextContents();
    expect(last[1]).toBe('remote');
    expect(last[2]).toBe('header_override');
  });

  it('breaks the fallbacks down by the local failure', async () => {
    const cells = await page.locator('#fallbacks tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    const expected = Object.entries(stats.totals.fallback_reasons).map(([reason, n]) => [reason, n.toLocaleString('en-US'), `${((n / stats.totals.decided_local) * 100).toFixed(1)}%`]);
    expect(cells).toEqual(expected);
  });

  it('keeps a screenshot as a test artifact', async () => {
    await mkdir(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await access(SCREENSHOT);
  });
});

describe('auto-refresh', () => {
  it('shows a new decision on the next refresh without a reload', async () => {
    const tab = await browser.newPage();
    try {
      await tab.clock.install();
      await tab.goto(`${proxy.url}/dashboard`);
      await tab.waitForSelector('body[data-loaded]');
      expect(await tab.locator('#recent tbody tr').count()).toBe(3);
      const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-ant-client', maxRetries: 0 });
      await client.messages.create({ model: 'claude-haiku-5-5', max_tokens: 50, messages: [{ role: 'user', content: 'One more.' }] }, { headers: { 'x-claude-proxy-route': 'remote' } });
      await eventually(() => proxy.events.length === 4);
      await tab.clock.fastForward(10_000);
      await expect.poll(() => tab.locator('#recent tbody tr').count()).toBe(4);
      expect(await tab.locator('#recent tbody tr:first-child td:nth-child(4)').textContent()).toBe('claude-haiku-5-5');
    } finally {
      await tab.close();
    }
  });
});

describe('the dashboard of a fresh install', () => {
  it('says there is nothing yet instead of showing made-up numbers', async () => {
    const fresh = await startProxy({ local: { enabled: false } });
    proxies.add(new URL(fresh.url).origin);
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    try {
      await tab.goto(`${fresh.url}/dashboard`);
      await tab.waitForSelector('body[data-loaded]');
      expect(errors).toEqual([]);
      expect(await tab.textContent('[data-stat="requests"]')).toBe('0');
      expect(await tab.textContent('[data-stat="local_percent"]')).toBe('–');
      expect(await tab.textContent('[data-stat="cost_saved_usd"]')).toBe('$0.00');
      expect(await tab.textContent('#chart-routes')).toBe('No events in this period yet.');
      expect(await tab.textContent('#recent tbody')).toBe('No requests since the proxy started.');
      expect(await tab.textContent('#backend')).toBe('disabled');
      await tab.screenshot({ path: SCREENSHOT.replace('.png', '-empty.png'), fullPage: true });
    } finally {
      await tab.close();
      await fresh.close();
    }
  });
});
