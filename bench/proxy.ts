// What the benchmarks measure, each in a process of its own on a free port: the built CLI's `serve`,
// and the pipes of pipe.ts (started by child.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { stringify } from 'yaml';
import { freePort } from '../test/helpers/ports.js';

/** /health is asked this often, this many times, before the proxy counts as not started. */
const HEALTH_POLL_MS = 50;
const HEALTH_POLLS = 200;
/** How long a stopped proxy may take to exit (writing its CPU profile) before it is killed. */
const STOP_GRACE_MS = 15_000;
const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const STAGES = new URL('./stages.js', import.meta.url).href;

export interface ProxyOptions {
  /** The built CLI's entry (bundle/cli.js of this build or another). */
  cli: string;
  /** Where the configuration file (and the log file) go, named for the port. */
  dir: string;
  /** The configuration for the port chosen, without `listen`: the starter sets it. */
  config: (port: number) => Record<string, unknown>;
  /** A directory for the proxy's CPU profile (node --cpu-prof), written when it exits. */
  cpuProfDir?: string;
  /** A file for the stage timestamps of every streamed answer (stages.ts preloaded into the proxy). */
  stagesFile?: string;
  /** The proxy's stderr: this process's, or a file proxy-PORT.log in `dir`. */
  stderr: 'inherit' | 'file';
  /** Resolves once the proxy serves; without it, when /health answers 200. */
  ready?: (url: string) => Promise<void>;
}

export interface BenchProcess {
  url: string;
  child: ChildProcess;
  /** From the spawn to `ready`, in milliseconds. */
  startupMs: number;
  /** SIGTERM, so that the process exits normally (and --cpu-prof writes its profile); SIGKILL if it has not exited after a grace. */
  stop(): Promise<void>;
}

export interface PipeOptions {
  role: 'pipe' | 'pipe-parse';
  upstream: string;
  /** Forward over one pool with the proxy's spare connection (for llama-server), not an Agent. */
  spare?: boolean;
  /** Resolves once the pipe serves; without it, when it prints its ready line. */
  ready?: (url: string) => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function healthy(url: string): Promise<void> {
  for (let i = 0; i < HEALTH_POLLS; i++) {
    try {
      const res = await request(`${url}/health`);
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(HEALTH_POLL_MS);
  }
  throw new Error('the proxy did not start');
}

/** Stops a child process: SIGTERM, then SIGKILL after a grace; resolves when it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** The first line a child prints on its stdout. */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before it was ready`)));
  });
}

export async function startPipe(options: PipeOptions): Promise<BenchProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  const child = spawn(process.execPath, [CHILD, options.role, options.upstream, String(port), ...(options.spare ? ['spare'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  await (options.ready ? options.ready(url) : firstLine(child));
  return { url, child, startupMs: performance.now() - startedAt, stop: () => stopChild(child) };
}

export async function startProxy(options: ProxyOptions): Promise<BenchProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const file = join(options.dir, `proxy-${port}.yaml`);
  await writeFile(file, stringify({ ...options.config(port), listen: { port } }));
  const log = options.stderr === 'file' ? await open(join(options.dir, `proxy-${port}.log`), 'a') : null;
  const flags = [
    ...(options.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`]),
    ...(options.stagesFile === undefined ? [] : ['--import', STAGES]),
  ];
  const env = options.stagesFile === undefined ? process.env : { ...process.env, BENCH_STAGES_FILE: options.stagesFile };
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...flags, options.cli, 'serve', '--config', file], { stdio: ['ignore', 'ignore', log?.fd ?? 'inherit'], env });
  if (log) child.once('exit', () => void log.close());
  await (options.ready ?? healthy)(url);
  return { url, child, startupMs: performance.now() - startedAt, stop: () => stopChild(child) };
}
