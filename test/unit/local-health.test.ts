import { describe, expect, it } from 'vitest';
import { CachedProbe } from '../../src/backends/health.js';
import { Breaker } from '../../src/upstream/breaker.js';
import { probeResult, type ProbeResult } from '../../src/upstream/probe.js';

describe('the breaker', () => {
  it('opens after the configured consecutive failures, half-opens after the cool-down for one trial, closes on success', () => {
    let now = 0;
    const breaker = new Breaker(3, 1000, () => now);
    for (let i = 0; i < 2; i++) {
      expect(breaker.acquire()).toBe(true);
      breaker.failure();
    }
    expect(breaker.state).toBe('closed');
    breaker.acquire();
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.acquire()).toBe(false);
    now = 999;
    expect(breaker.state).toBe('open');
    now = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.acquire()).toBe(true);
    expect(breaker.acquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.acquire()).toBe(true);
  });

  it('re-opens at once when the trial fails, and a success in between resets the count', () => {
    let now = 0;
    const breaker = new Breaker(2, 1000, () => now);
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    now = 1000;
    expect(breaker.acquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    now = 1999;
    expect(breaker.acquire()).toBe(false);
  });

  it('a trial that ends without a verdict (client gone) lets the next one try', () => {
    let now = 0;
    const breaker = new Breaker(1, 10, () => now);
    breaker.failure();
    now = 10;
    expect(breaker.acquire()).toBe(true);
    breaker.release();
    expect(breaker.acquire()).toBe(true);
  });
});

describe('the cached probe', () => {
  it('answers synchronously from the cache, refreshes a stale result in the background only when it was not healthy, and shares one probe among callers', async () => {
    let now = 0;
    let runs = 0;
    let next: ProbeResult = probeResult(true, 'up');
    let release!: () => void;
    const probe = new CachedProbe(
      async () => {
        runs += 1;
        await new Promise<void>((resolve) => (release = resolve));
        return next;
      },
      100,
      () => now,
    );
    expect(probe.current()).toBeNull();
    expect(runs).toBe(1);
    const waiting = probe.check();
    expect(runs).toBe(1);
    release();
    expect(await waiting).toMatchObject({ ok: true });
    expect(probe.current()).toMatchObject({ ok: true });
    expect(runs).toBe(1);
    now = 100;
    next = probeResult(false, 'down');
    // Stale but healthy: the requests the backend serves judge it, not a probe on their way.
    expect(probe.current()).toMatchObject({ ok: true });
    expect(runs).toBe(1);
    // A status check probes.
    const checked = probe.check();
    expect(runs).toBe(2);
    release();
    expect(await checked).toMatchObject({ ok: false, detail: 'down' });
    // Stale and unhealthy: the router's reading probes in the background, to see the backend come back.
    now = 200;
    next = probeResult(true, 'up again');
    expect(probe.current()).toMatchObject({ ok: false });
    expect(runs).toBe(3);
    release();
    await probe.check();
    expect(probe.current()).toMatchObject({ ok: true, detail: 'up again' });
  });

  it('probes at once when a request to a healthy backend failed', async () => {
    let runs = 0;
    let next: ProbeResult = probeResult(true, 'up');
    const probe = new CachedProbe(
      async () => {
        runs += 1;
        return next;
      },
      100,
      () => 0,
    );
    await probe.check();
    next = probeResult(false, 'down');
    probe.doubt();
    expect(runs).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(probe.current()).toMatchObject({ ok: false, detail: 'down' });
  });

  it('turns a probe that throws into a failed result', async () => {
    const probe = new CachedProbe(async () => Promise.reject(new Error('boom')), 100, () => 0);
    expect(await probe.check()).toMatchObject({ ok: false, detail: 'boom' });
  });
});
