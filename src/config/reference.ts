import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema } from './schema.js';

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  anyOf?: Node[];
  items?: Node;
  const?: unknown;
  default?: unknown;
  description?: string;
}

// Paths whose defaults depend on the user's environment (filled in by load.ts).
const COMPUTED_DEFAULTS: Record<string, string> = {
  'telemetry.dir': '`$XDG_DATA_HOME/nixos-ai-stack/telemetry` (`~/.local/share/…`)',
  'state.dir': '`$XDG_STATE_HOME/claude-api-proxy` (`~/.local/state/…`)',
};

function typeOf(node: Node): string {
  if (node.anyOf) {
    const literals = node.anyOf.filter((n) => n.const !== undefined).map((n) => `\`${JSON.stringify(n.const)}\``);
    const others = node.anyOf.filter((n) => n.const === undefined).map(typeOf);
    return [...literals, ...others].join(' \\| ');
  }
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'values'}`;
  if (node.type === 'object' && !node.properties) return 'mapping';
  return node.type ?? 'value';
}

function rows(node: Node, prefix: string, out: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.type === 'object' && child.properties && path.split('.').length === 1) {
      rows(child, path, out);
      continue;
    }
    const def = COMPUTED_DEFAULTS[path] ?? (child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``);
    out.push(`| \`${path}\` | ${typeOf(child)} | ${def} | ${(child.description ?? '').replace(/\|/g, '\\|')} |`);
  }
}

/** The settings table of docs/configuration.md, generated from the one schema so the docs cannot drift from it. */
export function configReference(schema: TSchema = ConfigSchema): string {
  const out = ['| setting | type | default | meaning |', '| --- | --- | --- | --- |'];
  rows(schema as Node, '', out);
  return out.join('\n');
}
