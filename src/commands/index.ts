import { parseArgs } from 'node:util';
import { ConfigError, type Env } from '../config/load.js';
import { VERSION } from '../version.js';
import type { Io } from './io.js';
import { errorCode, errorMessage } from '../shared/errors.js';

const HELP = `claude-api-proxy ${VERSION}: a local gateway for Claude Code

Usage:
  claude-api-proxy serve [--config FILE] [--port N] [--host ADDR]   run the proxy (default command)
  claude-api-proxy check-config FILE                              validate a configuration file
  claude-api-proxy doctor [--config FILE]                         probe the local backend, AIDB and the remote API; say what to fix
  claude-api-proxy explain [--config FILE] [options] < REQUEST.json   print the routing decision, send nothing (explain --help)
  claude-api-proxy stats [--since WHEN] [--by KEY] [--json] [--dashboard-json DIR]   requests, savings, latency (stats --help)
  claude-api-proxy eval-routing [--config FILE] [--min-local-recall X] [--min-remote-recall X] [--json] FILE...   routing against labelled requests (eval-routing --help)
  claude-api-proxy feedback REQUEST_ID local|remote [--config FILE]   correct one routing decision (feedback --help)
  claude-api-proxy --version | --help

Point Claude Code at it:  ANTHROPIC_BASE_URL=http://127.0.0.1:8094 claude
Configuration: $XDG_CONFIG_HOME/claude-api-proxy/config.yaml (see docs/configuration.md).
Exit codes: 0 ok, 1 runtime error, 2 invalid configuration or usage.
`;

class UsageError extends Error {}

async function dispatch(argv: string[], env: Env, io: Io): Promise<number | undefined> {
  // explain has its own options (headers, endpoint, assumed health).
  // Each command's modules load only when it runs: the server starts without the others.
  if (argv[0] === 'explain') return (await import('./explain.js')).explain(argv.slice(1), env, io);
  if (argv[0] === 'stats') return (await import('./stats.js')).stats(argv.slice(1), env, io);
  if (argv[0] === 'eval-routing') return (await import('./eval-routing.js')).evalRouting(argv.slice(1), env, io);
  if (argv[0] === 'feedback') return (await import('./feedback.js')).feedback(argv.slice(1), env, io);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.version) {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const [command = 'serve', ...rest] = positionals;
  switch (command) {
    case 'serve':
      await (await import('./serve.js')).serve({ config: values.config, port: values.port, host: values.host }, env);
      return undefined;
    case 'check-config': {
      const file = rest[0] ?? values.config;
      if (!file) throw new UsageError('check-config needs a FILE');
      await (await import('./check-config.js')).checkConfig(file, env, io.stdout);
      return 0;
    }
    case 'doctor':
      return (await import('./doctor.js')).doctor({ config: values.config }, env, io.stdout);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

/**
 * Runs one command line. Resolves to the exit code, or undefined for a server that keeps running.
 * Every failure becomes a message and an exit code, never a stack trace.
 */
export async function runCli(argv: string[], env: Env, io: Io): Promise<number | undefined> {
  try {
    return await dispatch(argv, env, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`invalid configuration:\n${error.message}\n`);
      return 2;
    }
    const code = errorCode(error);
    if (error instanceof UsageError || code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`claude-api-proxy: ${errorMessage(error)}\nRun 'claude-api-proxy --help' for usage.\n`);
      return 2;
    }
    io.stderr.write(`claude-api-proxy: ${errorMessage(error)}${code === 'EADDRINUSE' ? ' (is another proxy already running? use --port)' : ''}\n`);
    return 1;
  }
}
