import { isObject as isTree } from '../shared/json.js';

/** Where each setting's value came from: a file (and line), an environment variable, a flag; absent means the default. */
export type Sources = Map<string, string>;

/** Marks every leaf a document sets (a list counts as one value) with the label `locate` gives it. */
export function markDocument(sources: Sources, document: unknown, locate: (path: (string | number)[]) => string, prefix: string[] = []): void {
  if (!isTree(document)) return;
  for (const [key, value] of Object.entries(document)) {
    const path = [...prefix, key];
    if (isTree(value) && Object.keys(value).length > 0) markDocument(sources, value, locate, path);
    else sources.set(path.join('.'), locate(path));
  }
}

/** `a.b[0]` → `a.b` → `a` → '' (the last segment dropped). */
function parent(path: string): string {
  const shorter = path.replace(/(\.[^.[\]]*|\[\d+\])$/, '');
  return shorter === path ? '' : shorter;
}

/** The source of a setting: its own, the nearest enclosing one's, or one set inside it; 'default' otherwise. */
export function sourceOf(sources: Sources, path: string): string {
  for (let at = path; at !== ''; at = parent(at)) {
    const label = sources.get(at);
    if (label !== undefined) return label;
  }
  for (const [at, label] of sources) if (at.startsWith(`${path}.`)) return label;
  return 'default';
}
