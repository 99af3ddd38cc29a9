import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { Calibration, MAX_RATIO, MIN_RATIO, modelFamily } from '../../src/routing/calibration.js';
import { CALIBRATION_FILE, CalibrationStore } from '../../src/routing/calibration-store.js';
import { createRouter } from '../../src/routing/router.js';
import { mainRequest } from '../fixtures/claude-code.js';
import { ccHeaders, sdkHeaders, sdkRequest } from '../fixtures/routing-corpus.js';

/** A deterministic stream of (estimate, actual) pairs: actual = estimate × ratio × (1 ± noise). */
function* pairs(ratio: number, noise: number, count: number, seed = 7): Generator<[number, number]> {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = 0; i < count; i++) {
    const estimate = 200 + Math.floor(random() * 20_000);
    yield [estimate, Math.round(estimate * ratio * (1 + noise * (2 * random() - 1)))];
  }
}

describe('calibration', () => {
  it('converges on the true ratio of a noisy stream, and its error shrinks', () => {
    const calibration = new Calibration();
    const errors: number[] = [];
    for (const [estimate, actual] of pairs(1.3, 0.1, 400)) {
      expect(calibration.observe('claude-opus', estimate, actual)).toBe(true);
      errors.push(Math.abs(calibration.report().families['claude-opus']!.lastError!));
    }
    expect(calibration.factor('claude-opus')).toBeGreaterThan(1.26);
    expect(calibration.factor('claude-opus')).toBeLessThan(1.34);
    const report = calibration.report().families['claude-opus']!;
    expect(report.samples).toBe(400);
    expect(errors[0]).toBeGreaterThan(0.15);
    expect(report.meanAbsError).toBeLessThan(0.1);
  });

  it('follows a changed tokenizer', () => {
    const calibration = new Calibration();
    for (const [e, a] of pairs(1.3, 0.05, 200)) calibration.observe('local', e, a);
    for (const [e, a] of pairs(0.8, 0.05, 200, 11)) calibration.observe('local', e, a);
    expect(calibration.factor('local')).toBeCloseTo(0.8, 1);
  });

  it('ignores implausible pairs (prompt-cache tails, zero counts) and stays within bounds', () => {
    const calibration = new Calibration();
    expect(calibration.observe('claude-opus', 12_000, 4)).toBe(false);
    expect(calibration.observe('claude-opus', 0, 100)).toBe(false);
    expect(calibration.observe('claude-opus', 100, 0)).toBe(false);
    expect(calibration.report()).toEqual({ families: {}, rejected: 1 });
    for (let i = 0; i < 100; i++) calibration.observe('claude-opus', 1000, 2450);
    expect(calibration.factor('claude-opus')).toBeLessThanOrEqual(MAX_RATIO);
    for (let i = 0; i < 500; i++) calibration.observe('claude-opus', 1000, 410);
    expect(calibration.factor('claude-opus')).toBeGreaterThanOrEqual(MIN_RATIO);
  });

  it('keeps families apart', () => {
    const calibration = new Calibration();
    for (const [e, a] of pairs(1.2, 0, 50)) calibration.observe('claude-opus', e, a);
    expect(calibration.factor('claude-opus')).toBeCloseTo(1.2, 2);
    expect(calibration.factor('claude-haiku')).toBe(1);
  });

  it.each([
    ['claude-opus-5-5', 'claude-opus'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet'],
    ['Claude-Haiku-5-5', 'claude-haiku'],
    ['claude-next', 'claude'],
    ['qwen2.5-coder', 'other'],
  ])('model %s is family %s', (model, family) => {
    expect(modelFamily(model)).toBe(family);
  });
});

describe('calibration in the state directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cap-calibration-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is written after changes and read back by the next process', async () => {
    const stateDir = join(dir, 'state', 'claude-api-proxy');
    const first = new CalibrationStore(stateDir, { saveDelayMs: 5 });
    await first.open();
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    for (const [e, a] of pairs(1.15, 0.02, 30)) first.calibration.observe('claude-sonnet', e, a);
    await first.flush();
    const file = join(stateDir, CALIBRATION_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, families: { 'claude-sonnet': { samples: 30 } } });

    const second = new CalibrationStore(stateDir);
    await second.load();
    expect(second.calibration.factor('claude-sonnet')).toBeCloseTo(first.calibration.factor('claude-sonnet'), 6);
    expect(second.calibration.report().families['claude-sonnet']?.samples).toBe(30);
  });

  it('writes on its own after the delay, without a flush', async () => {
    const store = new CalibrationStore(dir, { saveDelayMs: 5 });
    store.calibration.observe('local', 1000, 1100);
    const file = join(dir, CALIBRATION_FILE);
    for (let i = 0; i < 100; i++) {
      const written = await readFile(file, 'utf8').catch(() => null);
      if (written !== null) return void expect(JSON.parse(written).families.local.samples).toBe(1);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('calibration was not written');
  });

  it('starts from scratch on a malformed file and says so once', async () => {
    await writeFile(join(dir, CALIBRATION_FILE), '{"version":1,"families":');
    const told: string[] = [];
    const store = new CalibrationStore(dir, { onError: (message) => told.push(message) });
    await store.load();
    expect(store.calibration.report().families).toEqual({});
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('malformed');
  });

  it('skips malformed families and clamps factors', () => {
    const calibration = new Calibration();
    calibration.restore({ version: 1, families: { a: { factor: 'x', samples: 1 }, b: { factor: 99, samples: 3 }, c: null } });
    expect(calibration.report().families).toEqual({ b: { factor: MAX_RATIO, samples: 3, meanAbsError: null, lastError: null } });
    calibration.restore({ version: 2, families: { d: { factor: 1, samples: 1 } } });
    expect(calibration.factor('d')).toBe(1);
  });
});

describe('the router learns from reported usage', () => {
  const config = resolveConfig({}, { HOME: '/home/calibration-test' });

  it('scales later estimates of the same family, and reports the error', () => {
    const router = createRouter(config, { local: { enabled: true, healthy: () => true } });
    const body = sdkRequest('Explain the difference between a flake and a channel in a few words.', 512);
    const before = router.decide({ endpoint: 'messages', body, headers: sdkHeaders(), now: new Date() });
    for (let i = 0; i < 20; i++) {
      const decision = router.decide({ endpoint: 'messages', body, headers: sdkHeaders(), now: new Date() });
      router.observe({ decision, route: 'remote', sessionId: null, model: body.model, inputTokens: Math.round(before.estimate.request * 1.5), toolUseIds: [] });
    }
    const after = router.decide({ endpoint: 'messages', body, headers: sdkHeaders(), now: new Date() });
    expect(after.estimate.request).toBeGreaterThan(before.estimate.request * 1.2);
    const report = router.calibration();
    expect(report.families['claude-sonnet']?.samples).toBe(20);
    expect(report.families['claude-sonnet']?.meanAbsError).toBeGreaterThan(0);
  });

  it('learns local counts as the local family, and never from usage the proxy counted itself', () => {
    const router = createRouter(config, { local: { enabled: true, healthy: () => true } });
    const body = mainRequest('Hi');
    const decision = router.decide({ endpoint: 'messages', body, headers: ccHeaders(), now: new Date() });
    router.observe({ decision, route: 'local', sessionId: null, model: body.model, inputTokens: decision.estimate.request, toolUseIds: [] });
    router.observe({ decision, route: 'remote', sessionId: null, model: body.model, inputTokens: decision.estimate.request, usageEstimated: true, toolUseIds: [] });
    expect(Object.keys(router.calibration().families)).toEqual(['local']);
  });
});
