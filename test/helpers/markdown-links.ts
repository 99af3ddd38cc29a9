import { readFile, stat } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const INLINE_CODE = /(`+)(.+?)\1/g;
// [text](target) and ![alt](target), with an optional "title"; the text may hold `code`.
const LINK = /!?\[(?:[^\]`]|`[^`]*`)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The lines of a markdown text outside fenced code blocks (code is not markdown). */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const marker = FENCE.exec(line)?.[1];
    if (fence === null && marker) fence = marker;
    else if (fence !== null && marker?.startsWith(fence)) fence = null;
    else if (fence === null) lines.push(line);
  }
  return lines;
}

/** A heading's anchor as GitHub makes it: the rendered text lower-cased, punctuation dropped, spaces as hyphens. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(INLINE_CODE, '$2')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*/g, '');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a markdown text offers; repeated headings get -1, -2, … as on GitHub. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = HEADING.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The targets of the links in a markdown text that point into the repository (no scheme). */
export function relativeLinks(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    for (const match of line.replace(INLINE_CODE, '').matchAll(LINK)) {
      const target = match[1];
      if (target !== undefined && !SCHEME.test(target)) targets.push(target);
    }
  }
  return targets;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The relative links of `files` (paths under `root`) that lead nowhere: a file that does not exist,
 * or an `#anchor` no heading of the markdown file it names produces. One line per broken link.
 */
export async function brokenLinks(root: string, files: string[]): Promise<string[]> {
  const texts = new Map<string, string>();
  const read = async (path: string): Promise<string> => {
    let text = texts.get(path);
    if (text === undefined) {
      text = await readFile(path, 'utf8');
      texts.set(path, text);
    }
    return text;
  };
  const broken: string[] = [];
  for (const file of files) {
    const source = join(root, file);
    for (const target of relativeLinks(await read(source))) {
      const hash = target.indexOf('#');
      const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
      const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
      const destination = pathPart === '' ? source : normalize(join(dirname(source), pathPart));
      if (!(await exists(destination))) {
        broken.push(`${file}: ${target}: no such file`);
        continue;
      }
      if (anchor === null) continue;
      if (!destination.endsWith('.md')) {
        broken.push(`${file}: ${target}: an anchor into a file that is not markdown`);
        continue;
      }
      if (!headingAnchors(await read(destination)).has(anchor)) broken.push(`${file}: ${target}: no heading with that anchor`);
    }
  }
  return broken;
}
