import { spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Env } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { text, type Command, type Io, type Values } from './command.js';
import { proxyVariables } from './env.js';
import { proxyUp, proxyUrl } from './proxy-client.js';

const START_TIMEOUT_MS = 15_000;

/**
 * Starts `serve` in the background, detached so that it outlives this Claude Code session (the next
 * one finds it running), with its log in the state directory. Resolves once it answers.
 */
async function startProxy(config: Config, file: string | null, env: Env, io: Io): Promise<void> {
  await mkdir(config.state.dir, { recursive: true, mode: 0o700 });
  const logFile = join(config.state.dir, 'proxy.log');
  const log = await open(logFile, 'a', 0o600);
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [script, 'serve', ...(file ? ['--config', file] : [])], { env, detached: true, stdio: ['ignore', log.fd, log.fd] });
  child.unref();
  await log.close();
  const base = proxyUrl(config.listen);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  for (const deadline = Date.now() + START_TIMEOUT_MS; Date.now() < deadline; await sleep(100)) {
    if (gone !== undefined) throw new Error(`the proxy exited (code ${gone}) at start; its log: ${logFile}`);
    if (await proxyUp(base, 500)) {
      io.stderr.write(`claude-api-proxy: started the proxy at ${base} (pid ${child.pid}, log ${logFile}); it keeps running after this session\n`);
      return;
    }
  }
  throw new Error(`the proxy did not answer at ${base} within ${START_TIMEOUT_MS / 1000} s; its log: ${logFile}`);
}

/** Runs Claude Code with the proxy's variables and the caller's terminal; resolves to its exit code. */
function runClaude(bin: string, args: string[], env: Env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: 'inherit' });
    // Ctrl-C belongs to Claude Code (it reaches it through the terminal); this process only waits.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    child.once('error', (error: NodeJS.ErrnoException) => {
      process.off('SIGINT', ignore);
      reject(error.code === 'ENOENT' ? new Error(`${bin} not found on PATH: install Claude Code (npm install -g @anthropic-ai/claude-code) or set CLAUDE_CODE_BIN`) : error);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      // A shell reports a child killed by a signal as 128 + its number; so does this.
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

async function code(values: Values, args: string[], env: Env, io: Io): Promise<number> {
  const { config, file } = await loadConfig({ file: text(values, 'config'), env });
  if (config.listen.port === 0) throw new Error('listen.port is 0 (a free port at each start): code needs a fixed port to find the proxy');
  if (!(await proxyUp(proxyUrl(config.listen), 1_000))) await startProxy(config, file, env, io);
  const variables: Record<string, string> = {};
  for (const v of proxyVariables(config)) variables[v.name] = v.fromFile === undefined ? v.value : `${v.value}${(await readFile(v.fromFile, 'utf8')).trim()}`;
  return runClaude(env.CLAUDE_CODE_BIN || 'claude', args, { ...env, ...variables });
}

export const command: Command = {
  usage: '[--config FILE] [--] [CLAUDE ARGUMENTS...]',
  description: `Runs Claude Code through the proxy: finds the proxy at listen.host:listen.port, or starts it in the
background (log: state.dir/proxy.log; it keeps running for the next session), then runs claude with
ANTHROPIC_BASE_URL pointing at it. Every argument from the first one that is not an option of its
own goes to claude unchanged. CLAUDE_CODE_BIN names another claude binary.`,
  options: { config: { type: 'string', value: 'FILE', help: 'configuration file (no -c: claude has its own)' } },
  args: { min: 0, max: Number.POSITIVE_INFINITY, names: 'arguments for claude', rest: true },
  examples: ['claude-api-proxy code', 'claude-api-proxy code -p "what does this repository do?"'],
  run: ({ values, positionals }, env, io) => code(values, positionals, env, io),
};
