import { loadConfig, type Env } from '../config/load.js';
import { ConfigSchema } from '../config/schema.js';
import { sourceOf, type Sources } from '../config/sources.js';
import { isObject as isTree, type Json as Tree } from '../shared/json.js';
import { CONFIG_OPTION, flag, JSON_OPTION, text, type Command, type Io, type Values } from './command.js';


// Maps keyed by the user (headers, model prices) are one value each, like lists.
const WHOLE = new Set(['local.headers', 'pricing.models']);

function leaves(tree: Tree, prefix = ''): [string, unknown][] {
  return Object.entries(tree).flatMap(([key, value]): [string, unknown][] => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isTree(value) && !WHOLE.has(path) ? leaves(value, path) : [[path, value]];
  });
}

/** A file's own path in a source label says nothing new next to the header: keep the line. */
const shortLabel = (label: string, file: string | null): string => (file !== null && label.startsWith(`${file}:`) ? `file line ${label.slice(file.length + 1)}` : label);

function render(rows: { path: string; value: string; source: string }[], header: string): string {
  const pathWidth = Math.max(...rows.map((r) => r.path.length));
  const valueWidth = Math.min(48, Math.max(...rows.map((r) => r.value.length)));
  return `${header}\n\n${rows.map((r) => `${r.path.padEnd(pathWidth)}  ${r.value.padEnd(valueWidth)}  ${r.source}`).join('\n')}\n`;
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}

/** The settings in the schema's order (the resolved object is in the order values were filled in). */
function ordered(value: Tree, schema: SchemaNode): Tree {
  const keys = Object.keys(schema.properties ?? {});
  return Object.fromEntries(
    [...keys.filter((k) => k in value), ...Object.keys(value).filter((k) => !keys.includes(k))].map((key) => {
      const child = value[key];
      const node = schema.properties?.[key];
      return [key, isTree(child) && node?.properties ? ordered(child, node) : child];
    }),
  );
}

function table(config: Tree, sources: Sources, file: string | null) {
  return leaves(ordered(config, ConfigSchema as SchemaNode)).map(([path, value]) => ({ path, value: JSON.stringify(value), source: shortLabel(sourceOf(sources, path), file) }));
}

async function showConfig(values: Values, env: Env, io: Io): Promise<number> {
  const { config, sources, file } = await loadConfig({ file: text(values, 'config'), env, port: text(values, 'port'), host: text(values, 'host') });
  const rows = table(config as unknown as Tree, sources, file);
  if (flag(values, 'json')) {
    io.stdout.write(`${JSON.stringify({ file, settings: Object.fromEntries(rows.map((r) => [r.path, { value: JSON.parse(r.value) as unknown, source: r.source }])) }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(render(rows, file ? `file: ${file}` : 'file: none (defaults, environment and flags only)'));
  return 0;
}

export const command: Command = {
  usage: '[--config FILE] [--port N] [--host ADDR] [--json]',
  description: `Prints the configuration serve would run with, one setting a line, and where each value comes from:
default, the file (with its line), an environment variable (PROXY_PORT, …) or a flag.`,
  options: {
    config: CONFIG_OPTION,
    port: { type: 'string', short: 'p', value: 'N', help: 'as serve --port' },
    host: { type: 'string', value: 'ADDR', help: 'as serve --host' },
    json: JSON_OPTION,
  },
  args: { min: 0, max: 0 },
  examples: ['claude-api-proxy config', 'PROXY_PORT=9000 claude-api-proxy config --json'],
  run: ({ values }, env, io) => showConfig(values, env, io),
};
