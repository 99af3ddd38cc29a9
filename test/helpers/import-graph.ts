import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';

// `import … from './x.js'`, `export … from './x.js'` (the names between hold no string or `;`),
// `import './x.js'` and `import('./x.js')`. Only relative specifiers: packages are no module of ours.
const STATIC = /^\s*(?:import|export)\s[^'";]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
const BARE = /^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Each module (a path relative to the root, `a/b.ts`) with the modules of the same tree it imports. */
export type ImportGraph = Map<string, string[]>;

/** The relative specifiers one file's text imports, in order. */
export function importSpecifiers(text: string): string[] {
  return [STATIC, BARE, DYNAMIC].flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1] ?? ''));
}

async function typeScriptFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names.filter((name) => name.endsWith('.ts')).map((name) => join(dir, name));
}

/** The import graph of every .ts file below `root`; imports that leave the tree (package.json) are left out. */
export async function readImportGraph(root: string): Promise<ImportGraph> {
  const graph: ImportGraph = new Map();
  for (const file of (await typeScriptFiles(root)).sort()) {
    const from = relative(root, file);
    const targets = importSpecifiers(await readFile(file, 'utf8'))
      .map((spec) => normalize(join(dirname(from), spec)).replace(/\.js$/, '.ts'))
      .filter((target) => !target.startsWith('..'));
    graph.set(from, [...new Set(targets)]);
  }
  return graph;
}

/** Every import cycle, each once, as the modules along it with the first repeated at the end. */
export function importCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (module: string): void => {
    const at = path.indexOf(module);
    if (at >= 0) {
      const cycle = path.slice(at);
      const key = [...cycle].sort().join(' ');
      if (!seen.has(key)) cycles.push([...cycle, module]);
      seen.add(key);
      return;
    }
    if (done.has(module)) return;
    path.push(module);
    for (const target of graph.get(module) ?? []) visit(target);
    path.pop();
    done.add(module);
  };
  for (const module of graph.keys()) visit(module);
  return cycles;
}

/** The layer of a module: its top folder, or for a file at the top its name without `.ts`. */
export const layerOf = (module: string): string => (module.includes('/') ? (module.split('/')[0] ?? module) : module.replace(/\.ts$/, ''));

/**
 * The imports that break the layering: a module may import its own layer and layers of a lower
 * rank only. A layer missing from the ranks is reported too, so a new folder gets a place.
 */
export function layerViolations(graph: ImportGraph, ranks: Readonly<Record<string, number>>): string[] {
  const problems: string[] = [];
  for (const [from, targets] of graph) {
    const fromLayer = layerOf(from);
    const fromRank = ranks[fromLayer];
    if (fromRank === undefined) {
      problems.push(`${from}: the layer ${fromLayer} has no rank`);
      continue;
    }
    for (const target of targets) {
      const toLayer = layerOf(target);
      if (toLayer === fromLayer) continue;
      const toRank = ranks[toLayer];
      if (toRank === undefined || toRank >= fromRank) problems.push(`${from} imports ${target}: ${fromLayer} (${fromRank}) may not import ${toLayer} (${toRank ?? 'no rank'})`);
    }
  }
  return problems;
}
