// `npm run bench`: every target in one run, against the same fake upstream, reported as ratios;
// the options are in USAGE.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { keptBlock } from './kept-blocks.js';
import { benchOptions, countOption } from './options.js';
import { firstLine, startPipe, startProxy, stopChild, type BenchProcess } from './proxy.js';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import type { LoadSpec, StreamResult, ThroughputResult } from './load.js';
import { benchRequest, SIZES, type Size } from './requests.js';
import { CLASSIFIER_CASES, classifierTimes, decisionTimes, judgeTimes, type ClassifierPrompt, type DecisionTimes, type JudgeTimes } from './decisions.js';
import { summarize } from './stats.js';
import { DELTAS } from './upstream.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CLI = here('../bundle/cli.js');
const CHILD = here('./child.js');
const LOAD = here('./load.js');
const REPO = here('../../');

const USAGE = `usage: npm run bench -- [options]
  --quick          shorter cells
  --rounds N       the best of N runs per cell (default 2)
  --profile DIR    a CPU profile of the proxy
  --baseline DIR   another build's dist/bundle: its proxy's remote route measured in the same cells
  --out FILE       where the results go (default bench/RESULTS.md)
`;
const options = benchOptions(
  {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    profile: { type: 'string' },
    baseline: { type: 'string' },
    out: { type: 'string', default: join(REPO, 'bench', 'RESULTS.md') },
  },
  USAGE,
);
const ROUNDS = countOption(options.rounds, 'rounds', USAGE);
const CLASSIFIER_PROMPTS: readonly ClassifierPrompt[] = ['pasted', 'typed'];
const CELL = options.quick ? { warmupMs: 500, durationMs: 1500 } : { warmupMs: 1000, durationMs: 3000 };
/** Load on every target before any cell is measured, so that no target is measured before the JIT warmed it. */
const WARMUP_MS = options.quick ? 1000 : 2500;
const STREAMS = options.quick ? { plain: 60, spaced: 10 } : { plain: 200, spaced: 30 };
const STARTS = options.quick ? 3 : 5;
/** Events the fake Anthropic upstream sends per streamed answer. */
const EVENTS_PER_STREAM = DELTAS + 6;

type TargetName = 'direct' | 'pipe' | 'pipe+parse' | 'proxy remote' | 'proxy local (openai)' | 'baseline remote';
interface Target {
  name: TargetName;
  url: string;
  model: string;
  pid: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Linux's USER_HZ: /proc counts CPU time in these. */
const CLOCK_TICKS = 100;


const children = new Set<ChildProcess>();
/** Remembers a child until it exits, so that a failed run kills it. */
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
const launch = (args: string[]): ChildProcess => track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] }));


/** CPU time the process has used (user + system), in microseconds; null where /proc cannot tell. */
async function cpuMicros(pid: number | null): Promise<number | null> {
  if (pid === null) return null;
  try {
    // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

async function rssMb(pid: number | null): Promise<number | null> {
  if (pid === null) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** Polls with a real request until the first one is served. */
async function served(url: string, model: string): Promise<void> {
  const { body, headers } = benchRequest('20kB', { model, stream: false });
  for (;;) {
    try {
      const res = await request(`${url}/v1/messages?beta=true`, { method: 'POST', headers, body, reset: true });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(2);
  }
}

async function startBenchPipe(role: 'pipe' | 'pipe-parse', upstream: string): Promise<BenchProcess> {
  const pipe = await startPipe({ role, upstream, ready: (url) => served(url, 'claude-opus-5-5') });
  track(pipe.child);
  return pipe;
}

/** The proxy with both routes on the fake upstream: claude-opus-* remote, claude-local to its OpenAI endpoint. */
async function startBenchProxy(dir: string, upstream: string, { cli = CLI, profileDir }: { cli?: string; profileDir?: string } = {}): Promise<BenchProcess> {
  const proxy = await startProxy({
    cli,
    dir,
    config: (port) => ({
      remote: { url: upstream },
      local: { kind: 'openai', url: upstream, model: 'bench-local', contextWindow: 200000, maxOutputTokens: 4096, aliases: ['claude-local'] },
      rag: { enabled: false },
      routing: { rules: [{ name: 'bench-remote', match: { model: 'claude-opus-*' }, route: 'remote' }] },
      telemetry: { dir: join(dir, `telemetry-${port}`) },
      state: { dir: join(dir, `state-${port}`) },
      log: { level: 'info' },
    }),
    ...(profileDir === undefined ? {} : { cpuProfDir: profileDir }),
    stderr: 'file',
    ready: (url) => served(url, 'claude-opus-5-5'),
  });
  track(proxy.child);
  return proxy;
}

async function load<T>(spec: LoadSpec, samplePid: number | null = null): Promise<{ result: T; peakRssMb: number | null }> {
  const child = launch([LOAD, JSON.stringify(spec)]);
  let peak: number | null = null;
  const sampler = setInterval(() => {
    void rssMb(samplePid).then((mb) => {
      if (mb !== null) peak = Math.max(peak ?? 0, mb);
    });
  }, 50);
  try {
    return { result: JSON.parse(await firstLine(child)) as T, peakRssMb: peak };
  } finally {
    clearInterval(sampler);
    await stopChild(child);
  }
}

async function routeOf(target: Target): Promise<string> {
  const { body, headers } = benchRequest('20kB', { model: target.model, stream: false });
  const res = await request(`${target.url}/v1/messages?beta=true`, { method: 'POST', headers, body });
  await res.body.dump();
  return `${res.statusCode} ${String(res.headers['x-claude-proxy-route'] ?? '-')}/${String(res.headers['x-claude-proxy-reason'] ?? '-')}`;
}

async function machine(): Promise<string> {
  const cpu = cpus();
  const commit = await promisify(execFile)('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO })
    .then((r) => r.stdout.trim())
    .catch(() => 'unknown');
  return `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}, Node ${process.version}, commit ${commit}`;
}

// ---------------------------------------------------------------------------------------------

const f = (n: number | null | undefined, digits = 2) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits));
const int = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cap-bench-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const began = performance.now();
  try {
    const upstreamChild = launch([CHILD, 'upstream']);
    const upstream = await firstLine(upstreamChild);
    log(`fake upstream ${upstream}`);

    // Start-up to first served request: a fresh process each time, the median of several.
    const startups: Record<string, number[]> = { pipe: [], 'pipe+parse': [], proxy: [] };
    for (let i = 0; i < STARTS; i++) {
      for (const [name, start] of [
        ['pipe', () => startBenchPipe('pipe', upstream)],
        ['pipe+parse', () => startBenchPipe('pipe-parse', upstream)],
        ['proxy', () => startBenchProxy(dir, upstream)],
      ] as const) {
        const instance = await start();
        startups[name]!.push(instance.startupMs);
        await stopChild(instance.child);
      }
    }
    log(`start-up medians: ${Object.entries(startups).map(([k, v]) => `${k} ${f(summarize(v).p50, 0)} ms`).join(', ')}`);

    const pipe = await startBenchPipe('pipe', upstream);
    const pipeParse = await startBenchPipe('pipe-parse', upstream);
    const proxy = await startBenchProxy(dir, upstream, options.profile === undefined ? {} : { profileDir: options.profile });
    // Another build's proxy (its dist/bundle directory), measured in the same loop for a before and after.
    const baseline = options.baseline === undefined ? null : await startBenchProxy(dir, upstream, { cli: join(options.baseline, 'cli.js') });
    const targets: Target[] = [
      { name: 'direct', url: upstream, model: 'claude-opus-5-5', pid: upstreamChild.pid ?? null },
      { name: 'pipe', url: pipe.url, model: 'claude-opus-5-5', pid: pipe.child.pid ?? null },
      { name: 'pipe+parse', url: pipeParse.url, model: 'claude-opus-5-5', pid: pipeParse.child.pid ?? null },
      { name: 'proxy remote', url: proxy.url, model: 'claude-opus-5-5', pid: proxy.child.pid ?? null },
      { name: 'proxy local (openai)', url: proxy.url, model: 'claude-local', pid: proxy.child.pid ?? null },
      ...(baseline ? [{ name: 'baseline remote' as const, url: baseline.url, model: 'claude-opus-5-5', pid: baseline.child.pid ?? null }] : []),
    ];
    for (const t of targets) log(`${t.name}: ${await routeOf(t)}`);

    // Idle memory after the same short warm-up for every server.
    const idle: Record<string, number | null> = {};
    for (const t of targets.slice(1, 4)) {
      await load<ThroughputResult>({ url: t.url, size: '20kB', model: t.model, kind: 'throughput', concurrency: 1, warmupMs: 0, durationMs: 300, count: 0, spaced: false });
    }
    await load<ThroughputResult>({ url: proxy.url, size: '20kB', model: 'claude-local', kind: 'throughput', concurrency: 1, warmupMs: 0, durationMs: 300, count: 0, spaced: false });
    await sleep(1000);
    for (const t of targets.slice(1, 4)) idle[t.name] = await rssMb(t.pid);

    for (const t of targets) {
      for (const size of SIZES) {
        await load<ThroughputResult>({ url: t.url, size, model: t.model, kind: 'throughput', concurrency: 32, warmupMs: 0, durationMs: WARMUP_MS, count: 0, spaced: false });
      }
    }
    log('warmed up');

    // Non-streaming throughput and latency; targets interleaved per cell, best of ROUNDS.
    const cells: Record<string, ThroughputResult> = {};
    // CPU time of the serving process per request at c=32: steadier than req/s on a shared machine.
    const cpuPerRequest: Record<string, number[]> = {};
    const peakRss: Record<string, number> = {};
    for (const size of SIZES) {
      for (const concurrency of [1, 32]) {
        for (let round = 0; round < ROUNDS; round++) {
          for (const t of round % 2 ? [...targets].reverse() : targets) {
            const cpuBefore = await cpuMicros(t.pid);
            const { result, peakRssMb } = await load<ThroughputResult>({ url: t.url, size, model: t.model, kind: 'throughput', concurrency, ...CELL, count: 0, spaced: false }, t.pid);
            const cpuAfter = await cpuMicros(t.pid);
            const key = `${t.name}|${size}|${concurrency}`;
            if (concurrency === 32 && cpuBefore !== null && cpuAfter !== null && result.requests > 0) (cpuPerRequest[key] ??= []).push((cpuAfter - cpuBefore) / result.requests);
            if (!cells[key] || result.rps > cells[key].rps) cells[key] = result;
            if (peakRssMb !== null) peakRss[t.name] = Math.max(peakRss[t.name] ?? 0, peakRssMb);
            log(`${key}: ${int(result.rps)} req/s, p50 ${f(result.latency.p50)} ms, errors ${result.errors}`);
          }
        }
      }
    }

    // Streaming: time to first byte and whole-stream time, plain and with 5 ms between events.
    const streamsBy: Record<string, StreamResult> = {};
    for (const spaced of [false, true]) {
      for (const t of targets) {
        const { result } = await load<StreamResult>({ url: t.url, size: '20kB', model: t.model, kind: 'stream', concurrency: 1, warmupMs: 0, durationMs: 0, count: spaced ? STREAMS.spaced : STREAMS.plain, spaced });
        streamsBy[`${t.name}|${spaced}`] = result;
        log(`stream ${t.name} spaced=${spaced}: ttfb p50 ${f(result.ttfb.p50)} ms, gaps p50 ${f(result.gaps.p50)} ms, ${f(result.chunksPerStream, 1)} chunks/stream`);
      }
    }

    const decisions = { '20kB': decisionTimes('20kB'), '80kB': decisionTimes('80kB') };
    for (const s of SIZES) log(`decision ${s}: p50 ${f(decisions[s].decide.p50, 3)} ms, p99 ${f(decisions[s].decide.p99, 3)} ms`);
    const classifier = { pasted: classifierTimes('pasted'), typed: classifierTimes('typed') };
    for (const prompt of CLASSIFIER_PROMPTS) log(`decision, ${CLASSIFIER_CASES[prompt]} (task classifier): p50 ${f(classifier[prompt].decide.p50, 3)} ms, p99 ${f(classifier[prompt].decide.p99, 3)} ms`);
    const judge = await judgeTimes();
    log(`decision with the judge: cold p50 ${f(judge.cold.p50, 3)} ms, cached p50 ${f(judge.cached.p50, 3)} ms`);

    await stopChild(proxy.child);
    if (baseline) await stopChild(baseline.child);
    await stopChild(pipe.child);
    await stopChild(pipeParse.child);
    await stopChild(upstreamChild);

    const report = await render({
      machine: await machine(),
      elapsedS: (performance.now() - began) / 1000,
      targets: targets.map((t) => t.name),
      cells,
      cpuPerRequest,
      streams: streamsBy,
      idle,
      peakRss,
      startups,
      decisions,
      classifier,
      judge,
    });
    const previous = await readFile(options.out, 'utf8').catch(() => '');
    await writeFile(options.out, `${report}\n${keptBlock(previous, 'llama')}\n\n${keptBlock(previous, 'notes')}\n`);
    log(`wrote ${options.out} (${f((performance.now() - began) / 1000, 0)} s)`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

interface Report {
  machine: string;
  elapsedS: number;
  targets: TargetName[];
  cells: Record<string, ThroughputResult>;
  /** Per c=32 cell: the serving process's CPU microseconds per request, one value per round. */
  cpuPerRequest: Record<string, number[]>;
  streams: Record<string, StreamResult>;
  idle: Record<string, number | null>;
  peakRss: Record<string, number>;
  startups: Record<string, number[]>;
  decisions: Record<Size, DecisionTimes>;
  classifier: Record<ClassifierPrompt, DecisionTimes>;
  judge: JudgeTimes;
}

/** The lowest CPU time per request of a target's c=32 cell over the rounds (the least disturbed), or null. */
function cpu(r: Report, target: string, size: Size): number | null {
  const values = r.cpuPerRequest[`${target}|${size}|32`];
  return values && values.length > 0 ? Math.min(...values) : null;
}

async function render(r: Report): Promise<string> {
  const cell = (t: string, size: Size, c: number) => r.cells[`${t}|${size}|${c}`];
  const lines: string[] = [];
  const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
  const goals: string[][] = [];
  for (const size of SIZES) {
    const proxy = cell('proxy remote', size, 32)?.rps ?? 0;
    const base = cell('pipe+parse', size, 32)?.rps ?? 1;
    goals.push([`remote-route throughput at c=32, ${size} ≥ 0.9× pipe+parse`, `${int(proxy)} vs ${int(base)} req/s = ${f(proxy / base, 3)}×`, met(proxy / base >= 0.9)]);
  }
  if (r.targets.includes('baseline remote')) {
    for (const size of SIZES) {
      const now = cell('proxy remote', size, 32)?.rps ?? 0;
      const before = cell('baseline remote', size, 32)?.rps ?? 1;
      goals.push([
        `remote-route throughput at c=32, ${size} ≥ 0.98× the baseline build's (\`--baseline\`, same cells)`,
        `${int(now)} vs ${int(before)} req/s = ${f(now / before, 3)}×; CPU ${f(cpu(r, 'proxy remote', size), 0)} vs ${f(cpu(r, 'baseline remote', size), 0)} µs per request`,
        met(now / before >= 0.98),
      ]);
    }
  }
  for (const size of SIZES) {
    const added = (cell('proxy remote', size, 1)?.latency.p50 ?? 0) - (cell('pipe', size, 1)?.latency.p50 ?? 0);
    goals.push([`added p50 latency at c=1, ${size} ≤ 0.3 ms over the raw pipe`, `${f(added, 3)} ms`, met(added <= 0.3)]);
  }
  for (const t of ['proxy remote', 'proxy local (openai)']) {
    const s = r.streams[`${t}|true`];
    const direct = r.streams['direct|true'];
    // Spaced as sent: the median gap is the upstream's 5 ms, and every text delta came in a chunk of its own.
    const ok = s !== undefined && s.gaps.p50 >= 4 && s.gaps.p50 <= 6.5 && s.chunksPerStream >= DELTAS;
    goals.push([
      `events spaced 5 ms upstream arrive spaced 5 ms (${t})`,
      `gap p50 ${f(s?.gaps.p50)} ms, p90 ${f(s?.gaps.p90)} ms; ${f(s?.chunksPerStream, 1)} chunks per stream of ${DELTAS} text deltas (direct: ${f(direct?.gaps.p50)} ms, ${f(direct?.chunksPerStream, 1)} chunks)`,
      met(ok),
    ]);
  }
  const idleRatio = (r.idle['proxy remote'] ?? 0) / (r.idle.pipe ?? 1);
  goals.push(['idle RSS ≤ 1.2× the minimal fastify pipe', `${f(r.idle['proxy remote'], 1)} vs ${f(r.idle.pipe, 1)} MB = ${f(idleRatio)}×`, met(idleRatio <= 1.2)]);
  const startRatio = summarize(r.startups.proxy!).p50 / summarize(r.startups.pipe!).p50;
  goals.push(['start-up to first served request ≤ 1.5× the pipe', `${f(summarize(r.startups.proxy!).p50, 0)} vs ${f(summarize(r.startups.pipe!).p50, 0)} ms = ${f(startRatio)}×`, met(startRatio <= 1.5)]);
  const d80 = r.decisions['80kB'].decide;
  goals.push(['routing decision ≤ 1 ms at 80 kB', `p50 ${f(d80.p50, 3)} ms, p99 ${f(d80.p99, 3)} ms`, met(d80.p99 <= 1)]);
  for (const prompt of CLASSIFIER_PROMPTS) {
    const c = r.classifier[prompt];
    goals.push([`task classifier ≤ 1 ms: ${CLASSIFIER_CASES[prompt]}`, `p50 ${f(c.decide.p50, 3)} ms, p99 ${f(c.decide.p99, 3)} ms (CPU p99 ${f(c.decideCpu.p99, 3)} ms)`, met(c.decide.p99 <= 1)]);
  }

  lines.push('# Benchmark results', '');
  lines.push(`Produced by \`npm run bench\`${options.quick ? ' -- --quick' : ''} (${ROUNDS} round(s) per cell, best kept; ${f(r.elapsedS, 0)} s in all) on ${new Date().toISOString().slice(0, 10)}.`);
  lines.push(`Machine: ${r.machine}.`, '');
  lines.push(
    'Every target runs in its own process on loopback against the same fake upstream process (`bench/upstream.ts`); the load generator (`bench/load.ts`, undici Pool, closed loop) is a third process. ' +
      'Requests are Claude-Code-shaped (`bench/requests.ts`): a 20 kB first turn and an 80 kB tool round. The proxy is the built CLI (`dist/bundle/cli.js serve`, as `npm start` runs it) with telemetry on and `log.level: info`; ' +
      'one instance serves both routes (a rule sends `claude-opus-*` remote, the alias `claude-local` goes to the OpenAI-compatible fake).',
    '',
  );
  lines.push('## Goals', '', '| goal | measured | |', '| --- | --- | --- |', ...goals.map((g) => `| ${g.join(' | ')} |`), '');

  for (const size of SIZES) {
    lines.push(`## Non-streaming, ${size} requests`, '');
    lines.push('| target | c=1 req/s | c=1 p50 ms | c=1 p99 ms | c=32 req/s | c=32 p50 ms | c=32 p99 ms | c=32 vs pipe | c=32 vs pipe+parse | c=32 CPU µs/req |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const t of r.targets) {
      const one = cell(t, size, 1);
      const many = cell(t, size, 32);
      const ratio = (base: string) => f((many?.rps ?? 0) / (cell(base, size, 32)?.rps ?? 1));
      lines.push(`| ${t} | ${int(one?.rps)} | ${f(one?.latency.p50, 3)} | ${f(one?.latency.p99, 3)} | ${int(many?.rps)} | ${f(many?.latency.p50)} | ${f(many?.latency.p99)} | ${ratio('pipe')}× | ${ratio('pipe+parse')}× | ${f(cpu(r, t, size), 0)} |`);
    }
    lines.push('');
  }

  lines.push('## Streaming (20 kB requests, sequential)', '');
  lines.push(
    `Anthropic answers have ${EVENTS_PER_STREAM} events (${DELTAS} text deltas); the OpenAI-compatible fake sends ${DELTAS} content chunks, which the local route turns into the same kind of stream (it holds \`message_start\` until the first content, so that a failure before it can still fall back). "Added" is over the direct connection to the fake upstream. With spacing, the upstream waits 5 ms after each event; each gap is between two consecutive body chunks as the client received them.`,
    '',
  );
  lines.push('| target | TTFB p50 ms | TTFB added ms | whole stream p50 ms | spaced: TTFB p50 ms | spaced: whole p50 ms | spaced: added ms | gap p50 / p90 / max ms | chunks per stream |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
  for (const t of r.targets) {
    const plain = r.streams[`${t}|false`];
    const spaced = r.streams[`${t}|true`];
    const dPlain = r.streams['direct|false'];
    const dSpaced = r.streams['direct|true'];
    lines.push(
      `| ${t} | ${f(plain?.ttfb.p50, 3)} | ${f((plain?.ttfb.p50 ?? 0) - (dPlain?.ttfb.p50 ?? 0), 3)} | ${f(plain?.total.p50, 3)} | ${f(spaced?.ttfb.p50)} | ${f(spaced?.total.p50)} | ${f((spaced?.total.p50 ?? 0) - (dSpaced?.total.p50 ?? 0))} | ${f(spaced?.gaps.p50)} / ${f(spaced?.gaps.p90)} / ${f(spaced?.gaps.max)} | ${f(spaced?.chunksPerStream, 1)} |`,
    );
  }
  lines.push('');

  lines.push('## Memory and start-up', '');
  lines.push('Idle RSS: after start-up and a short warm-up, one second idle. Loaded: the peak sampled every 50 ms during the non-streaming cells. Start-up: process spawn until the first request was served through the fake upstream, median of fresh starts.', '');
  lines.push('| process | idle RSS MB | loaded RSS MB | start-up ms (median) | start-up runs ms |', '| --- | ---: | ---: | ---: | --- |');
  for (const [name, key] of [['pipe', 'pipe'], ['pipe+parse', 'pipe+parse'], ['proxy', 'proxy remote']] as const) {
    const runs = r.startups[name] ?? [];
    lines.push(`| ${name} | ${f(r.idle[key], 1)} | ${f(r.peakRss[key], 1)} | ${f(summarize(runs).p50, 0)} | ${runs.map((v) => f(v, 0)).join(', ')} |`);
  }
  lines.push('');

  lines.push('## Routing decision', '');
  lines.push('In process: `createRouter(config, deps).decide(...)` on the parsed request (remote by rule, default policy, local alias), and the parse + validation that precedes it (`parseMessagesBody`).', '');
  lines.push('| size | decide p50 ms | decide p99 ms | decide mean ms | parse+validate p50 ms | parse+validate p99 ms |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const size of SIZES) {
    const d = r.decisions[size];
    lines.push(`| ${size} | ${f(d.decide.p50, 4)} | ${f(d.decide.p99, 4)} | ${f(d.decide.mean, 4)} | ${f(d.parse.p50, 4)} | ${f(d.parse.p99, 4)} |`);
  }
  for (const prompt of CLASSIFIER_PROMPTS) {
    const c = r.classifier[prompt];
    lines.push(`| ${CLASSIFIER_CASES[prompt]} (task classifier) | ${f(c.decide.p50, 4)} | ${f(c.decide.p99, 4)} | ${f(c.decide.mean, 4)} | ${f(c.parse.p50, 4)} | ${f(c.parse.p99, 4)} |`);
  }
  lines.push('');
  lines.push('With the judge (`routing.judge.enabled`), for prompts the classifier is unsure about: decide + `Router.judge` against a fake native backend on loopback that answers one word, through the real local backend.', '');
  lines.push('| case | p50 ms | p90 ms | p99 ms | max ms |', '| --- | ---: | ---: | ---: | ---: |');
  for (const [name, s] of [['decide alone', r.judge.without], ['decide + judge, new prompt', r.judge.cold], ['decide + judge, cached verdict', r.judge.cached]] as const) {
    lines.push(`| ${name} | ${f(s.p50, 4)} | ${f(s.p90, 4)} | ${f(s.p99, 4)} | ${f(s.max, 4)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

await main();
