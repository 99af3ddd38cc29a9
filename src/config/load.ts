import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigSchema, RuleSchema, type Config, type RoutingRule } from './schema.js';
import { markDocument, sourceOf, type Sources } from './sources.js';
import { expectation } from './wording.js';
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
    super(problems.map((p) => `${p.source ?? source}: ${describeProblem(p)}`).join('\n'));
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
function applyEnv(tree: Tree, env: Env, sources: Sources): void {
  const set = (section: string, key: string, name: string, value: unknown) => {
    branch(tree, section)[key] = value;
    sources.set(`${section}.${key}`, `env ${name}`);
  };
  if (env.PROXY_HOST) set('listen', 'host', 'PROXY_HOST', env.PROXY_HOST);
  if (env.PROXY_PORT) set('listen', 'port', 'PROXY_PORT', numberOrRaw(env.PROXY_PORT));
  if (env.ANTHROPIC_API_KEY_FILE) set('remote', 'apiKeyFile', 'ANTHROPIC_API_KEY_FILE', env.ANTHROPIC_API_KEY_FILE);
  if (env.AIDB_MCP_URL) set('rag', 'url', 'AIDB_MCP_URL', env.AIDB_MCP_URL);
  const local = branch(tree, 'local');
  // The coordinator URL only means something when the local backend is the coordinator.
  if (env.HYBRID_COORDINATOR_URL && (local.kind ?? 'coordinator') === 'coordinator') set('local', 'url', 'HYBRID_COORDINATOR_URL', env.HYBRID_COORDINATOR_URL);
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

function pointerToPath(pointer: string): { path: string; key: string } {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = parts
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  return { path, key: parts.at(-1) ?? '' };
}

export interface Overrides {
  port?: number | string;
  host?: string;
}

export interface Resolved {
  config: Config;
  /** Where each setting came from (see sourceOf). */
  sources: Sources;
}

/**
 * Turns a parsed document (or nothing) plus the environment and flags into a validated configuration.
 * Every problem is reported at once, each with where its value came from.
 */
export function resolveWithSources(
  document: unknown,
  env: Env,
  overrides: Overrides = {},
  sources: Sources = new Map(),
  source = 'config',
  locate: (path: string) => string | null = () => null,
): Resolved {
  if (document !== undefined && document !== null && !isTree(document)) {
    throw new ConfigError(source, [{ path: '', value: document, expected: 'the file must hold a mapping of settings' }]);
  }
  const tree: Tree = structuredClone(document ?? {}) as Tree;
  applyEnv(tree, env, sources);
  if (overrides.port !== undefined) {
    branch(tree, 'listen').port = numberOrRaw(String(overrides.port));
    sources.set('listen.port', '--port');
  }
  if (overrides.host !== undefined) {
    branch(tree, 'listen').host = overrides.host;
    sources.set('listen.host', '--host');
  }
  applyPathDefaults(tree, env);
  const withDefaults = Value.Default(ConfigSchema, tree) as Tree;
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(ConfigSchema, withDefaults)) {
    const { path, key } = pointerToPath(error.path);
    if (seen.has(path)) continue;
    seen.add(path);
    problems.push({ path, value: error.value, expected: expectation(error, key) });
  }
  problems.push(...validateRules(checkedRules(withDefaults)), ...crossFieldProblems(withDefaults));
  // URLs that are text at all are parsed too; the schema has named the others.
  const urlsAreText = ['remote', 'local', 'rag'].every((name) => typeof section(withDefaults, name).url === 'string');
  if (urlsAreText) problems.push(...urlProblems(withDefaults as Config).filter((p) => !seen.has(p.path)));
  // A value from a flag or the environment is named as such; one from the file by the line of its key.
  for (const problem of problems) problem.source ??= sources.get(problem.path) ?? locate(problem.path) ?? labelOf(sourceOf(sources, problem.path), source);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { config: withDefaults as Config, sources };
}

/** `default` in a problem's source means the value was never set: name the whole configuration instead. */
const labelOf = (label: string, source: string): string => (label === 'default' ? (source === 'config' ? 'defaults' : source) : label);

export function resolveConfig(document: unknown, env: Env, overrides: Overrides = {}, source = 'config'): Config {
  const sources: Sources = new Map();
  markDocument(sources, document, () => source);
  return resolveWithSources(document, env, overrides, sources, source).config;
}

// Rules the schema rejected are checked no further; the others keep their index in the messages.
function checkedRules(tree: Tree): RoutingRule[] {
  const routing = tree.routing;
  const rules = isTree(routing) && Array.isArray(routing.rules) ? (routing.rules as unknown[]) : [];
  return rules.map((rule) => (Value.Check(RuleSchema, rule) ? rule : { match: {}, route: 'default' as const }));
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || (isIPv4(host) && host.startsWith('127.'));
}

const section = (tree: Tree, name: string): Tree => (isTree(tree[name]) ? tree[name] : {});

function crossFieldProblems(tree: Tree): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const listen = section(tree, 'listen');
  const auth = section(tree, 'auth');
  const routing = section(tree, 'routing');
  if (typeof listen.host === 'string' && !isLoopbackHost(listen.host) && auth.tokenFile === null) {
    problems.push({
      path: 'auth.tokenFile',
      value: null,
      expected: `a token file, because listen.host ${JSON.stringify(listen.host)} is reachable beyond this machine`,
    });
  }
  const { simpleQueryTokens: simple, complexQueryTokens: complex } = routing;
  if (typeof simple === 'number' && typeof complex === 'number' && simple > complex) {
    problems.push({ path: 'routing.simpleQueryTokens', value: simple, expected: `at most routing.complexQueryTokens (${complex})` });
  }
  return problems;
}

/** The YAML errors of a file, each with its line, column and a code frame. */
function syntaxProblems(document: Document.Parsed, file: string): ConfigProblem[] {
  return document.errors.map((error) => {
    const at = error.linePos?.[0];
    // The location is in the source already; the message keeps the code frame.
    const message = error.message.replace(/ at line \d+, column \d+:\n/, ':\n').trimEnd();
    return { path: '', value: undefined, expected: `invalid YAML: ${message}`, source: at ? `${file}:${at.line}:${at.col}` : file };
  });
}

/** The line of a key in the file, or null when the file does not have it. */
function keyLine(document: Document.Parsed, lines: LineCounter, path: (string | number)[]): number | null {
  const parent = path.length > 1 ? document.getIn(path.slice(0, -1), true) : document.contents;
  const pair = isMap(parent) ? parent.items.find((item) => isScalar(item.key) && item.key.value === path.at(-1)) : undefined;
  const offset = isNode(pair?.key) ? pair.key.range?.[0] : undefined;
  return offset === undefined ? null : lines.linePos(offset).line;
}

// `routing.rules[0].match` as the keys and indexes YAML addresses it by.
const segments = (path: string): (string | number)[] => (path.match(/[^.[\]]+/g) ?? []).map((part) => (/^\d+$/.test(part) ? Number(part) : part));

/** `file:line` of a setting, or of the nearest enclosing one the file has. */
function problemLocator(document: Document.Parsed, lines: LineCounter, file: string) {
  return (path: string): string | null => {
    const parts = segments(path);
    for (let n = parts.length; n > 0; n--) {
      const line = keyLine(document, lines, parts.slice(0, n));
      if (line !== null) return `${file}:${line}`;
    }
    return null;
  };
}

export interface Loaded extends Resolved {
  /** The file read, or null when there is none and defaults apply. */
  file: string | null;
}

/** Reads and validates a YAML file; a missing default file means defaults. */
export async function loadConfig(options: { file?: string; env: Env } & Overrides): Promise<Loaded> {
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
  const sources: Sources = new Map();
  let document: unknown;
  let locate: ((path: string) => string | null) | undefined;
  if (text !== null) {
    const lines = new LineCounter();
    const parsed = parseDocument(text, { lineCounter: lines, prettyErrors: true });
    if (parsed.errors.length > 0) throw new ConfigError(file, syntaxProblems(parsed, file));
    document = parsed.toJS();
    markDocument(sources, document, (path) => `${file}:${keyLine(parsed, lines, path) ?? '?'}`);
    locate = problemLocator(parsed, lines, file);
  }
  const resolved = resolveWithSources(document, options.env, { port: options.port, host: options.host }, sources, text === null ? 'defaults' : file, locate);
  return { ...resolved, file: text === null ? null : file };
}
