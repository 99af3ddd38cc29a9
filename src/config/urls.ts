import type { Config } from './schema.js';
import type { ConfigProblem } from './problem.js';

/** The URL settings: each is a base URL the proxy puts paths under. */
const URL_SETTINGS = [
  ['remote.url', (c: Config) => c.remote.url],
  ['local.url', (c: Config) => c.local.url],
  ['rag.url', (c: Config) => c.rag.url],
] as const;

/**
 * What is wrong with a base URL, or null. It must parse (a port of 80800 passes the schema's pattern
 * and fails only when the first request is built), and carry no credentials, query or fragment:
 * those would be echoed in error answers, `/health/ready` and the log.
 */
function urlFlaw(text: string): { expected: string; shown: string } | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Unparsed, the text may still hold user:password@ or a ?key=: those parts are not shown.
    return { expected: 'a URL that parses (check the host and a port of at most 65535)', shown: text.replace(/\/\/[^/]*@/, '//…@').replace(/[?#].*$/, '') };
  }
  // What may hold a secret is never repeated: the message shows origin and path only.
  const shown = `${url.origin}${url.pathname}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { expected: 'an http:// or https:// URL', shown };
  if (url.username !== '' || url.password !== '') return { expected: 'a URL without user:password@ (put keys in a key file)', shown };
  if (url.search !== '' || text.includes('?')) return { expected: 'a URL without a ?query (put keys in a key file)', shown };
  if (url.hash !== '' || text.includes('#')) return { expected: 'a URL without a #fragment', shown };
  return null;
}

export function urlProblems(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [path, read] of URL_SETTINGS) {
    const flaw = urlFlaw(read(config));
    if (flaw !== null) problems.push({ path, value: flaw.shown, expected: flaw.expected });
  }
  return problems;
}
