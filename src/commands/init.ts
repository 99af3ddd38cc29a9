import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultConfigPath, resolveConfig, type Env } from '../config/load.js';
import { discoverAll, wellKnownUrls, type DiscoveredServer } from '../backends/local/discover.js';
import { AidbClient } from '../rag/aidb.js';
import { errorCode } from '../shared/errors.js';
import { flag, list, text, UsageError, type Command, type Io, type Values } from './command.js';
import { pickModel, pickServer, starterConfig } from './starter-config.js';

function describeServer(server: DiscoveredServer): string {
  const models = server.models.map((m) => `${m.id} (${m.contextWindow === null ? 'context not reported' : `context ${m.contextWindow}`})`);
  return `  ${server.family} at ${server.url}${models.length > 0 ? `: ${models.join(', ')}` : ''}`;
}

/** Whether AIDB answers where the configuration would look for it (rag.url, AIDB_MCP_URL). */
async function aidbAnswers(env: Env): Promise<boolean> {
  const client = new AidbClient(resolveConfig({}, env).rag);
  try {
    return (await client.probe(AbortSignal.timeout(1_500))).ok;
  } finally {
    await client.close();
  }
}

const NOTHING_FOUND = `No local LLM server answered. Start one, then run init again, e.g.:
  llama-server -m MODEL.gguf --jinja -c 32768 --host 127.0.0.1 --port 8080
  OLLAMA_CONTEXT_LENGTH=32768 ollama serve
or name where yours listens: claude-api-proxy init --url http://127.0.0.1:PORT
`;

async function init(values: Values, env: Env, io: Io): Promise<number> {
  const timeoutMs = Number(text(values, 'timeout') ?? 1500);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout needs a number of milliseconds', 'init');
  const extra = list(values, 'url');
  for (const url of extra) if (!URL.canParse(url)) throw new UsageError(`--url ${JSON.stringify(url)} is not a URL`, 'init');
  const urls = flag(values, 'only') ? extra : [...extra, ...wellKnownUrls().filter((u) => !extra.includes(u))];
  if (urls.length === 0) throw new UsageError('--only needs at least one --url', 'init');
  io.stdout.write(`Looking for local servers on ${urls.map((u) => new URL(u).port || u).join(', ')}…\n`);
  const [servers, aidb] = await Promise.all([discoverAll(urls, timeoutMs), aidbAnswers(env)]);
  const server = pickServer(servers);
  if (!server) {
    io.stdout.write(NOTHING_FOUND);
    return 1;
  }
  io.stdout.write(`Found:\n${servers.map(describeServer).join('\n')}\n${aidb ? 'AIDB answers.\n' : ''}`);
  const yaml = starterConfig({ server, model: pickModel(server), aidb }, new Date().toISOString().slice(0, 10));
  // What init writes must load: a bug here is better found now than at the first serve.
  resolveConfig(parseYaml(yaml), env);
  if (flag(values, 'print')) {
    io.stdout.write(`\n${yaml}`);
    return 0;
  }
  const file = text(values, 'config') ?? defaultConfigPath(env);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, yaml, { mode: 0o600, flag: flag(values, 'force') ? 'w' : 'wx' });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    io.stderr.write(`${file} exists already; not replacing it (--force replaces it, --print shows the new one).\n`);
    return 1;
  }
  io.stdout.write(`\nWrote ${file}:\n${yaml}\nNext: 'claude-api-proxy doctor' checks it, 'claude-api-proxy code' runs Claude Code through it.\n`);
  return 0;
}

export const command: Command = {
  usage: '[--url URL]... [--only] [--config FILE] [--force] [--print]',
  description: `Looks for local LLM servers on this machine (Ollama 11434, llama.cpp 8080, vLLM 8000, LM Studio 1234,
the hybrid coordinator 8092, and every --url), reads their models and the context window each runs
with, and writes a starter configuration that routes to the best one. An existing file is kept
unless --force.`,
  options: {
    url: { type: 'string', multiple: true, value: 'URL', help: 'also look here (tried first)' },
    config: { type: 'string', short: 'c', value: 'FILE', help: 'where to write (default: $XDG_CONFIG_HOME/claude-api-proxy/config.yaml)' },
    only: { type: 'boolean', help: 'look only at the --url addresses' },
    force: { type: 'boolean', help: 'replace an existing file' },
    print: { type: 'boolean', help: 'print the configuration instead of writing it' },
    timeout: { type: 'string', value: 'MS', help: 'how long each server may take to answer (default 1500)' },
  },
  args: { min: 0, max: 0 },
  examples: ['claude-api-proxy init', 'claude-api-proxy init --url http://127.0.0.1:8081 --print'],
  run: ({ values }, env, io) => init(values, env, io),
};
