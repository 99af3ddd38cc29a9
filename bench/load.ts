// The load generator, run as its own process so it never shares an event loop with a server.
// Prints one JSON line with the results.
import { Pool } from 'undici';
import { benchRequest, type Size } from './requests.js';
import { summarize, type Summary } from './stats.js';

export interface LoadSpec {
  url: string;
  size: Size;
  model: string;
  /** Closed-loop throughput at a concurrency, or sequential streams. */
  kind: 'throughput' | 'stream';
  concurrency: number;
  warmupMs: number;
  /** throughput: measuring time; stream: ignored. */
  durationMs: number;
  /** stream: number of measured streams. */
  count: number;
  spaced: boolean;
}

export interface ThroughputResult {
  requests: number;
  errors: number;
  rps: number;
  latency: Summary;
}

export interface StreamResult {
  errors: number;
  ttfb: Summary;
  total: Summary;
  /** Time between consecutive body chunks inside a stream. */
  gaps: Summary;
  chunksPerStream: number;
}

const PATH = '/v1/messages?beta=true';

async function throughput(pool: Pool, spec: LoadSpec): Promise<ThroughputResult> {
  const { body, headers } = benchRequest(spec.size, { model: spec.model, stream: false });
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const end = measureFrom + spec.durationMs;
  const worker = async () => {
    for (let t0 = performance.now(); t0 < end; t0 = performance.now()) {
      try {
        const res = await pool.request({ path: PATH, method: 'POST', headers, body });
        for await (const _ of res.body);
        if (res.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
      const t1 = performance.now();
      if (t0 >= measureFrom && t1 <= end) latencies.push(t1 - t0);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  return { requests: latencies.length, errors, rps: latencies.length / (spec.durationMs / 1000), latency: summarize(latencies) };
}

async function streams(pool: Pool, spec: LoadSpec): Promise<StreamResult> {
  const { body, headers } = benchRequest(spec.size, { model: spec.model, stream: true, spaced: spec.spaced });
  const ttfb: number[] = [];
  const total: number[] = [];
  const gaps: number[] = [];
  let chunks = 0;
  let errors = 0;
  const warmups = Math.max(3, Math.round(spec.count / 10));
  for (let i = 0; i < warmups + spec.count; i++) {
    const t0 = performance.now();
    const arrivals: number[] = [];
    try {
      const res = await pool.request({ path: PATH, method: 'POST', headers, body });
      for await (const _ of res.body) arrivals.push(performance.now());
      if (res.statusCode !== 200) errors++;
    } catch {
      errors++;
      continue;
    }
    if (i < warmups || arrivals.length === 0) continue;
    ttfb.push(arrivals[0]! - t0);
    total.push(arrivals.at(-1)! - t0);
    for (let k = 1; k < arrivals.length; k++) gaps.push(arrivals[k]! - arrivals[k - 1]!);
    chunks += arrivals.length;
  }
  return { errors, ttfb: summarize(ttfb), total: summarize(total), gaps: summarize(gaps), chunksPerStream: chunks / Math.max(1, ttfb.length) };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const pool = new Pool(spec.url, { connections: spec.concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
const result = spec.kind === 'throughput' ? await throughput(pool, spec) : await streams(pool, spec);
await pool.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
