#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError } from './config/load.js';
import { checkConfig } from './commands/check-config.js';
import { serve } from './commands/serve.js';
import { VERSION } from './version.js';

const HELP = `claude-api-proxy ${VERSION}: a local gateway for Claude Code

Usage:
  claude-api-proxy serve [--config FILE] [--port N] [--host ADDR]   run the proxy (default command)
  claude-api-proxy check-config FILE                              validate a configuration file
  claude-api-proxy --version | --help

Point Claude Code at it:  ANTHROPIC_BASE_URL=http://127.0.0.1:8094 claude
Configuration: $XDG_CONFIG_HOME/claude-api-proxy/config.yaml (see the README).
Exit codes: 0 ok, 1 runtime error, 2 invalid configuration or usage.
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
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
  if (values.version) return void process.stdout.write(`${VERSION}\n`);
  if (values.help) return void process.stdout.write(HELP);
  const [command = 'serve', ...rest] = positionals;
  switch (command) {
    case 'serve':
      return serve({ config: values.config, port: values.port, host: values.host }, process.env);
    case 'check-config': {
      const file = rest[0] ?? values.config;
      if (!file) throw new UsageError('check-config needs a FILE');
      return checkConfig(file, process.env, process.stdout);
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`invalid configuration:\n${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`claude-api-proxy: ${(error as Error).message}\nRun 'claude-api-proxy --help' for usage.\n`);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  process.stderr.write(`claude-api-proxy: ${(error as Error).message}${code === 'EADDRINUSE' ? ' (is another proxy already running? use --port)' : ''}\n`);
  process.exit(1);
});
