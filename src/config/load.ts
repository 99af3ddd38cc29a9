import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigSchema, type Config } from './schema.js';
import { validateRules } from './rules.js';
import type { ConfigProblem } from './problem.js';
import { errorCode } from '../shared/errors.js';
import { isObject as isTree, type Json as Tree } from '../shared/json.js';
import { urlProblems } from './urls.js';

export type Env = Readonly<Record<string, string | undefined>>;


/** A configuration that cannot be used; `problems` name each bad field. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((p) => `${source}: ${describeProblem(p)}`).join('\n'));
    this.name = 'ConfigError';
  }
}

function describeProblem(p: ConfigProblem): string {
  if (p.path === '') return p.expected;
  const got = p.value === undefined ? 'nothing' : JSON.stringify(p.value);
  return `${p.path}: got ${got}, expected ${p.expected}`;
}

export function defaultConfigPath(env: Env): string {
  return join(env.XDG_CONFIG_HOME || join(home(env), '.config'), 'claude-api-proxy', 'config.yaml');
}

function home(env: Env): string {
  return env.HOME || homedir();
}

function expandHome(path: string, env: Env): string {
  return path === '~' || path.startsWith('~/') ? join(home(env), path.slice(1)) : path;
}

function branch(tree: Tree, key: string): Tree {
  const existing = tree[key];
  if (isTree(existing)) return existing;
  const created: Tree = {};
  tree[key] = created;
  return created;
}

function numberOrRaw(raw: string): number | string {
  return /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
}

/** Environment overrides, with the predecessor's names. */
function applyEnv(tree: Tree, env: Env): void {
  if (env.PROXY_HOST) branch(tree, 'listen').host = env.PROXY_HOST;
  if (env.PROXY_PORT) branch(tree, 'listen').port = numberOrRaw(env.PROXY_PORT);
  if (env.ANTHROPIC_API_KEY_FILE) branch(tree, 'remote').apiKeyFile = env.ANTHROPIC_API_KEY_FILE;
  if (env.AIDB_MCP_URL) branch(tree, 'rag').url = env.AIDB_MCP_URL;
  const local = branch(tree, 'local');
  // The coordinator URL only means something when the local backend is the coordinator.
  if (env.HYBRID_COORDINATOR_URL && (local.kind ?? 'coordinator') === 'coordinator') local.url = env.HYBRID_COORDINATOR_URL;
}

function applyPathDefaults(tree: Tree, env: Env): void {
  const dataHome = env.XDG_DATA_HOME || join(home(env), '.local', 'share');
  const stateHome = env.XDG_STATE_HOME || join(home(env), '.local', 'state');
  const telemetry = branch(tree, 'telemetry');
  telemetry.dir = typeof telemetry.dir === 'string' ? expandHome(telemetry.dir, env) : join(dataHome, 'nixos-ai-stack', 'telemetry');
  const state = branch(tree, 'state');
  state.dir = typeof state.dir === 'string' ? expandHome(state.dir, env) : join(stateHome, 'claude-api-proxy');
  for (const [section, key] of [['remote', 'apiKeyFile'], ['local', 'apiKeyFile'], ['auth', 'tokenFile']] as const) {
    const s = tree[section];
    if (isTree(s) && typeof s[key] === 'string') s[key] = expandHome(s[key], env);
  }
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

/** Turns a parsed document (or nothing) plus the environment into a validated configuration. */
export function resolveConfig(document: unknown, env: Env, overrides: { port?: number | string; host?: string } = {}, source = 'config'): Config {
  if (document !== undefined && document !== null && !isTree(document)) {
    throw new ConfigError(source, [{ path: '', value: document, expected: 'the file must hold a mapping of settings' }]);
  }
  const tree: Tree = structuredClone(document ?? {}) as Tree;
  applyEnv(tree, env);
  if (overrides.port !== undefined) branch(tree, 'listen').port = numberOrRaw(String(overrides.port));
  if (overrides.host !== undefined) branch(tree, 'listen').host = overrides.host;
  applyPathDefaults(tree, env);
  const withDefaults = Value.Default(ConfigSchema, tree);
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(ConfigSchema, withDefaults)) {
    const path = pointerToPath(error.path);
    if (seen.has(path)) continue;
    seen.add(path);
    problems.push({ path, value: error.value, expected: expectation(error.schema, error.message) });
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  const config = withDefaults as Config;
  problems.push(...validateRules(config.routing.rules));
  problems.push(...crossFieldProblems(config), ...urlProblems(config));
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

function expectation(schema: { anyOf?: { const?: unknown }[]; const?: unknown; description?: string }, message: string): string {
  const literals = schema.anyOf?.map((s) => s.const).filter((c) => c !== undefined);
  if (literals && literals.length > 0) return `one of ${literals.map((l) => JSON.stringify(l)).join(', ')}`;
  if (message === 'Unexpected property') return 'no such setting (check the spelling)';
  return message.replace(/^Expected /, '').replace(/^Expected union value$/, 'a valid value');
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || (isIPv4(host) && host.startsWith('127.'));
}

function crossFieldProblems(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isLoopbackHost(config.listen.host) && config.auth.tokenFile === null) {
    problems.push({
      path: 'auth.tokenFile',
      value: null,
      expected: `a token file, because listen.host ${JSON.stringify(config.listen.host)} is reachable beyond this machine`,
    });
  }
  if (config.routing.simpleQueryTokens > config.routing.complexQueryTokens) {
    problems.push({
      path: 'routing.simpleQueryTokens',
      value: config.routing.simpleQueryTokens,
      expected: `at most routing.complexQueryTokens (${config.routing.complexQueryTokens})`,
    });
  }
  return problems;
}

/** Reads and validates a YAML file; a missing default file means defaults. */
export async function loadConfig(options: { file?: string; env: Env; port?: number | string; host?: string }): Promise<{ config: Config; file: string | null }> {
  const explicit = options.file !== undefined;
  const file = options.file ?? defaultConfigPath(options.env);
  let text: string | null;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' && !explicit) text = null;
    else throw new ConfigError(file, [{ path: '', value: undefined, expected: `cannot read the file (${code ?? String(error)})` }]);
  }
  let document: unknown;
  if (text !== null) {
    try {
      document = parseYaml(text, { prettyErrors: true });
    } catch (error) {
      const detail = error instanceof YAMLParseError ? error.message.split('\n')[0] : String(error);
      throw new ConfigError(file, [{ path: '', value: undefined, expected: `valid YAML: ${detail}` }]);
    }
  }
  const config = resolveConfig(document, options.env, { port: options.port, host: options.host }, text === null ? 'defaults' : file);
  return { config, file: text === null ? null : file };
}
