import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { freePort } from '../helpers/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/commands/index.js';
import type { StatsReport } from '../../src/telemetry/stats.js';
import { generateCorpus, writeCorpus, type Corpus } from '../fixtures/telemetry-corpus.js';
import { startProxy } from '../helpers/proxy.js';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function cli(args: string[], env: Record<string, string>, tty = false): Promise<{ code: number | undefined; out: string; err: string }> {
  const stdout = new Capture(tty);
  const stderr = new Capture();
  const code = await runCli(args, env, { stdout, stderr, stdin: new PassThrough() });
  return { code, out: stdout.text, err: stderr.text };
}


// The shapes of facts/seed-stack.md, written out by hand: every key, its type, nothing more.
type Shape = 'string' | 'number' | 'boolean' | 'string|null' | readonly string[] | { [key: string]: Shape };
const TOKEN_SAVINGS: Shape = {
  timestamp: 'string',
  queries: { total: 'number', local: 'number', remote: 'number', cached: 'number' },
  routing: { local_percent: 'number', remote_percent: 'number', target_local_percent: 'number' },
  cache: { hit_rate: 'number', target_hit_rate: 'number' },
  tokens: { baseline_per_query: 'number', rag_per_query: 'number', estimated_savings: 'number', reduction_percent: 'number' },
  cost: { estimated_savings_usd: 'number', cost_per_million_tokens: 'number', period: 'string' },
};
const TELEMETRY: Shape = {
  timestamp: 'string',
  status: ['online', 'offline'],
  summary: {
    total_events: 'number',
    local_events: 'number',
    remote_events: 'number',
    tokens_saved: 'number',
    last_event_at: 'string|null',
    telemetry_path: 'string',
    enabled: 'boolean',
    local_usage_rate: 'number',
  },
};

function shapeProblems(value: unknown, shape: Shape, path = '$'): string[] {
  if (Array.isArray(shape)) return shape.includes(value as string) ? [] : [`${path}: ${JSON.stringify(value)} is not one of ${shape.join('|')}`];
  if (typeof shape === 'string') {
    const ok = shape === 'string|null' ? value === null || typeof value === 'string' : typeof value === shape && (shape !== 'number' || Number.isFinite(value));
    return ok ? [] : [`${path}: expected ${shape}, got ${JSON.stringify(value)}`];
  }
  if (typeof value !== 'object' || value === null) return [`${path}: expected an object`];
  const record = value as Record<string, unknown>;
  const problems = Object.keys(record)
    .filter((k) => !(k in shape))
    .map((k) => `${path}.${k}: not in the shape`);
  for (const [key, sub] of Object.entries(shape)) problems.push(...(key in record ? shapeProblems(record[key], sub, `${path}.${key}`) : [`${path}.${key}: missing`]));
  return problems;
}

let home: string;
let telemetryDir: string;
let corpus: Corpus;
let env: Record<string, string>;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cap-cli-'));
  telemetryDir = join(home, 'telemetry');
  corpus = generateCorpus(['2026-11-16', '2026-11-17', '2026-11-18'], 40, 11);
  await writeCorpus(telemetryDir, corpus);
  env = { HOME: home };
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('claude-api-proxy stats', () => {
  it('prints JSON when stdout is not a terminal, with the numbers of the files', async () => {
    const { code, out } = await cli(['stats', '--dir', telemetryDir], env);
    expect(code).toBe(0);
    const report = JSON.parse(out) as StatsReport;
    const m = corpus.events.map((e) => e.metadata);
    expect(report.totals.requests).toBe(m.length);
    expect(report.totals.served_local).toBe(m.filter((e) => e.routing_decision === 'local').length);
    expect(report.totals.fallbacks).toBe(m.filter((e) => e.fallback).length);
    expect(report.totals.tokens_saved).toBe(m.reduce((s, e) => s + e.tokens_saved, 0));
    expect(report.lines.corrupt).toBe(corpus.corrupt);
  });

  it('prints a table on a terminal, and JSON there too with --json', async () => {
    const table = await cli(['stats', '--dir', telemetryDir, '--by', 'model'], env, true);
    expect(table.code).toBe(0);
    const total = corpus.events.length.toLocaleString('en-US');
    expect(table.out).toMatch(new RegExp(`^Requests\\s+${total}\\s`, 'm'));
    expect(table.out).toContain('By model');
    expect(table.out).toContain('claude-sonnet-5-5');
    expect(table.out).toMatch(/^local\s+\d/m);
    const json = await cli(['stats', '--dir', telemetryDir, '--json', '--since', '2026-11-17', '--until', '2026-11-17'], env, true);
    const report = JSON.parse(json.out) as StatsReport;
    const day17 = corpus.events.filter((e) => new Date(e.metadata.unix_ms).getDate() === 17);
    expect(report.totals.requests).toBe(day17.length);
  });

  it('refuses bad options with exit code 2 and a message', async () => {
    const by = await cli(['stats', '--dir', telemetryDir, '--by', 'colour'], env);
    expect(by.code).toBe(2);
    expect(by.err).toContain('--by "colour" must be one of: day, model, route, reason');
    const since = await cli(['stats', '--dir', telemetryDir, '--since', 'last tuesday'], env);
    expect(since.code).toBe(2);
    expect(since.err).toContain('--since');
    const date = await cli(['stats', '--dir', telemetryDir, '--until', '2026-02-30'], env);
    expect(date.code).toBe(2);
    const far = await cli(['stats', '--dir', telemetryDir, '--since', '99999999999d'], env);
    expect(far.code).toBe(2);
    expect(far.err).toContain('--since');
  });

  it('uses telemetry.dir of the configuration when --dir is not given', async () => {
    const file = join(home, 'config.yaml');
    await writeFile(file, `telemetry:\n  dir: ${telemetryDir}\n`);
    const { code, out } = await cli(['stats', '--config', file, '--json'], env);
    expect(code).toBe(0);
    expect((JSON.parse(out) as StatsReport).totals.requests).toBe(corpus.events.length);
  });
});

describe('stats --dashboard-json', () => {
  it('writes the two files of the old dashboard in their exact shapes, from the real numbers', async () => {
    const out = join(home, 'dashboard');
    const file = join(home, 'offline.yaml');
    await writeFile(file, `listen:\n  port: ${await freePort()}\ntelemetry:\n  dir: ${telemetryDir}\n  dashboardTargets:\n    localPercent: 65\n`);
    const { code } = await cli(['stats', '--config', file, '--dashboard-json', out], env);
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['telemetry.json', 'token-savings.json']);
    const savings = JSON.parse(await readFile(join(out, 'token-savings.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const telemetry = JSON.parse(await readFile(join(out, 'telemetry.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(shapeProblems(savings, TOKEN_SAVINGS)).toEqual([]);
    expect(shapeProblems(telemetry, TELEMETRY)).toEqual([]);

    const m = corpus.events.map((e) => e.metadata);
    const local = m.filter((e) => e.routing_decision === 'local').length;
    const localPercent = Math.round((local / m.length) * 10000) / 100;
    const saved = m.reduce((s, e) => s + e.tokens_saved, 0);
    const remoteTokens = m
      .filter((e) => e.routing_decision === 'remote' && e.kind !== 'count')
      .reduce((s, e) => s + (e.input_tokens ?? 0) + (e.output_tokens ?? 0) + (e.cache_read_input_tokens ?? 0) + (e.cache_creation_input_tokens ?? 0), 0);
    expect(savings.queries).toEqual({
      total: m.length,
      local,
      remote: m.length - local,
      cached: m.filter((e) => e.routing_decision === 'remote' && e.kind !== 'count' && (e.cache_read_input_tokens ?? 0) > 0).length,
    });
    expect(savings.routing).toEqual({ local_percent: localPercent, remote_percent: Math.round((100 - localPercent) * 100) / 100, target_local_percent: 65 });
    expect(savings.cache?.target_hit_rate).toBe(30);
    expect(savings.tokens).toEqual({
      baseline_per_query: Math.round((remoteTokens + saved) / m.length),
      rag_per_query: Math.round(remoteTokens / m.length),
      estimated_savings: saved,
      reduction_percent: Math.round((saved / (remoteTokens + saved)) * 10000) / 100,
    });
    expect(savings.cost?.estimated_savings_usd).toBeCloseTo(
      m.reduce((s, e) => s + (e.cost_saved_usd ?? 0), 0),
      5,
    );
    expect(savings.cost?.period).toBe('cumulative');
    expect(telemetry.status).toBe('offline');
    expect(telemetry.summary).toMatchObject({ total_events: m.length, local_events: local, remote_events: m.length - local, tokens_saved: saved, telemetry_path: telemetryDir, enabled: true, local_usage_rate: localPercent });
    expect(telemetry.summary?.last_event_at).toBe(new Date(Math.max(...m.map((e) => e.unix_ms))).toISOString());
  });

  it('says online when the proxy answers on the configured address, and replaces the files whole', async () => {
    const proxy = await startProxy({ local: { enabled: false } });
    try {
      const out = join(home, 'dashboard-online');
      const file = join(home, 'online.yaml');
      await writeFile(file, `listen:\n  port: ${new URL(proxy.url).port}\ntelemetry:\n  dir: ${join(home, 'empty')}\n`);
      await cli(['stats', '--config', file, '--dashboard-json', out], env);
      const { code } = await cli(['stats', '--config', file, '--dashboard-json', out], env);
      expect(code).toBe(0);
      expect((await readdir(out)).sort()).toEqual(['telemetry.json', 'token-savings.json']);
      const telemetry = JSON.parse(await readFile(join(out, 'telemetry.json'), 'utf8')) as Record<string, Record<string, unknown>>;
      const savings = JSON.parse(await readFile(join(out, 'token-savings.json'), 'utf8')) as Record<string, Record<string, unknown>>;
      expect(telemetry.status).toBe('online');
      expect(shapeProblems(telemetry, TELEMETRY)).toEqual([]);
      expect(shapeProblems(savings, TOKEN_SAVINGS)).toEqual([]);
      expect(telemetry.summary?.total_events).toBe(0);
      expect(telemetry.summary?.last_event_at).toBeNull();
      expect(savings.routing).toEqual({ local_percent: 0, remote_percent: 0, target_local_percent: 70 });
    } finally {
      await proxy.close();
    }
  });
});
