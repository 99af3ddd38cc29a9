// The real llama.cpp server for the llama suite: the binary and model that scripts/llama/ cache.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { freePort } from '../helpers/ports.js';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const LLAMA_VERSION = '3.21.1';
export const MODEL_ALIAS = 'tiny-qwen3';

const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'claude-api-proxy', 'llama-server', LLAMA_VERSION);
export const LLAMA_SERVER_BIN = process.env.LLAMA_SERVER_BIN ?? join(cacheDir, 'llama-server');
export const LLAMA_MODEL = process.env.LLAMA_MODEL ?? join(cacheDir, 'tiny-qwen3-v6.gguf');
/** The bench's second model: random weights in the dimensions of the smallest Qwen3 (make-model.sh qwen3-0.6b). */
export const LLAMA_SIZED_MODEL = process.env.LLAMA_SIZED_MODEL ?? join(cacheDir, 'random-qwen3-0.6b-v1.gguf');

/** Fails loudly (never skips) when the build or model scripts have not run. */
export async function requireLlamaServer(model = LLAMA_MODEL): Promise<void> {
  try {
    await access(LLAMA_SERVER_BIN, constants.X_OK);
    await access(model, constants.R_OK);
  } catch {
    const shape = model === LLAMA_SIZED_MODEL ? ' qwen3-0.6b' : '';
    throw new Error(`no llama-server or model at ${LLAMA_SERVER_BIN} / ${model}: run scripts/llama/build-server.sh and scripts/llama/make-model.sh${shape}`);
  }
}

export interface LlamaServer {
  url: string;
  /** What the server wrote to stderr, for a failure message. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts llama-server on an ephemeral port with one slot and a fixed seed, and waits until it is ready. */
export async function startLlamaServer(options: { contextSize: number; seed?: number; threads?: number; model?: string }): Promise<LlamaServer> {
  const model = options.model ?? LLAMA_MODEL;
  await requireLlamaServer(model);
  const port = await freePort();
  const args = ['-m', model, '--jinja', '-c', String(options.contextSize), '--host', '127.0.0.1', '--port', String(port), '--alias', MODEL_ALIAS, '-t', String(options.threads ?? 2), '--no-webui', '-np', '1', '--seed', String(options.seed ?? 7)];
  const child: ChildProcess = spawn(LLAMA_SERVER_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}:\n${stderr}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`llama-server was not ready within 60 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    log: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
