import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

/** Folders a path in the documentation may be relative to, tried in this order. */
const BASES = ['', 'src/', 'test/'];
/** A test named by its folder and name, as the test map writes it (`unit/sse`). */
const TEST_KINDS = new Set(['unit', 'integration', 'hostile', 'security', 'fault', 'e2e']);
const TOP = new Set(['src', 'test', 'docs', 'nix', 'bench', 'scripts']);
const EXTENSION = /\.(?:ts|mjs|md|json|nix|sh|gz)$/;
// A run of path characters with at least one slash, not inside a URL, a variable or a home path.
const PATH = /(?<![\w./$~:-])((?:\.\.?\/)*(?:[\w*{},-][\w.*{},-]*\/)+[\w.*{},-]*)/g;
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'result']);

/** Every file and folder below `root` (relative), without build output, dependencies or `.git`. */
export async function treeOf(root: string): Promise<string[]> {
  const top = (await readdir(root, { withFileTypes: true })).filter((entry) => !SKIPPED.has(entry.name));
  const below = await Promise.all(top.filter((entry) => entry.isDirectory()).map(async (dir) => (await readdir(join(root, dir.name), { recursive: true })).map((name) => `${dir.name}/${name}`)));
  return [...top.map((entry) => entry.name), ...below.flat()].filter((path) => !path.split('/').some((part) => SKIPPED.has(part)));
}

/** `a/{b,c}.ts` → `a/b.ts`, `a/c.ts`. */
function expandBraces(path: string): string[] {
  const match = /\{([^{}]*)\}/.exec(path);
  if (!match) return [path];
  return match[1]!.split(',').flatMap((part) => expandBraces(path.slice(0, match.index) + part + path.slice(match.index + match[0].length)));
}

function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${body}$`);
}

/** The tokens of a text that name a file or folder of the tree: with a slash, and a known extension or top folder. */
export function pathsNamed(text: string, layers: ReadonlySet<string>): string[] {
  const named = [...text.matchAll(PATH)].map((match) => (match[1] ?? '').replace(/[.,]+$/, ''));
  return named.filter((path) => {
    const first = path.split('/')[0] ?? '';
    return EXTENSION.test(path) || path.endsWith('/') || TOP.has(first) || layers.has(first) || TEST_KINDS.has(first);
  });
}

/** Whether a named path (maybe with `*`, or `{a,b}` for each of a and b) matches the tree, relative to one of the bases. */
export function existsIn(tree: readonly string[], path: string): boolean {
  const isTestName = TEST_KINDS.has(path.split('/')[0] ?? '') && !EXTENSION.test(path) && !path.endsWith('/');
  return expandBraces(path).every((one) =>
    BASES.flatMap((base) => [`${base}${one}`, ...(isTestName ? [`${base}${one}.test.ts`] : [])]).some((candidate) => {
      const pattern = globRegExp(candidate.replace(/\/$/, ''));
      return tree.some((entry) => pattern.test(entry.replace(/\/$/, '')));
    }),
  );
}

/** The paths named in these documents that match nothing in the tree, as `file: path`. */
export async function missingPaths(root: string, documents: readonly string[]): Promise<string[]> {
  const tree = await treeOf(root);
  const layers = new Set(tree.filter((p) => p.startsWith('src/') && p.endsWith('/') && p.split('/').length === 3).map((p) => p.split('/')[1] ?? ''));
  const missing: string[] = [];
  for (const document of documents) {
    const text = await readFile(join(root, document), 'utf8');
    for (const path of new Set(pathsNamed(text, layers))) {
      // Written relative to the document itself (a link's target), or to the root and its bases.
      const fromRoot = path.startsWith('.') ? relative(root, join(root, dirname(document), path)) : path;
      if (SKIPPED.has(fromRoot.split('/')[0] ?? '')) continue;
      if (!existsIn(tree, fromRoot)) missing.push(`${document}: ${path}`);
    }
  }
  return missing;
}
